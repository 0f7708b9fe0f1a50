//go:build e2e

package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// requestBudget is how many API requests of each kind a command makes: GET,
// LIST and WATCH (all three are HTTP GETs), POST, PATCH, PUT and DELETE.
type requestBudget map[string]int

// TestRequestBudgets runs a release through canary, promote and abort and
// counts each command's API requests from its -v=6 log. The budgets are the
// fewest requests each step needs, so the counts must match them exactly: one
// more is a wasted round trip, one fewer a skipped read or wait.
func TestRequestBudgets(t *testing.T) {
	ns := newRelease(t)
	canary := []string{"canary", "ctwoc", "--image", v2, "--weight", "25"}
	// Every verb but version first reads the release: the stable Deployment
	// (GET), the Deployments ship made for it (LIST by label) and the
	// Services that may route to it (LIST). A command that writes takes the
	// release's lock first (GET of its Lease, then POST the first time, PUT
	// after), releases it with the operation recorded (PUT) and leaves an
	// Event on the Deployment (POST). One with nothing left to write reads
	// the lock (GET), to free it if an interrupted run left it held. Before the lock it checks that the user
	// may make every request of its plan: one SelfSubjectRulesReview (POST).
	steps := []struct {
		name   string
		args   []string
		budget requestBudget
	}{
		{"version --client", []string{"version", "--client"}, requestBudget{}},
		{"version", []string{"version"}, requestBudget{"GET": 1}},
		{"canary create", canary, requestBudget{"GET": 2, "LIST": 2, "POST": 4, "PUT": 1, "WATCH": 1}},
		{"canary re-run", canary, requestBudget{"GET": 2, "LIST": 2}},
		{"canary resize sticky", []string{"canary", "ctwoc", "--image", v2, "--weight", "50", "--sticky"},
			requestBudget{"GET": 2, "LIST": 2, "POST": 2, "PUT": 2, "PATCH": 2, "WATCH": 1}},
		{"promote sticky", []string{"promote", "ctwoc"}, requestBudget{"GET": 2, "LIST": 2, "POST": 2, "PUT": 2, "PATCH": 2, "WATCH": 1, "DELETE": 1}},
		{"canary create again", []string{"canary", "ctwoc", "--image", v1}, requestBudget{"GET": 2, "LIST": 2, "POST": 3, "PUT": 2, "WATCH": 1}},
		{"abort", []string{"abort", "ctwoc"}, requestBudget{"GET": 2, "LIST": 2, "POST": 2, "PUT": 2, "DELETE": 1}},
		{"abort without canary", []string{"abort", "ctwoc"}, requestBudget{"GET": 2, "LIST": 2}},
		// status adds the Services' EndpointSlices and the release's pods.
		{"status", []string{"status", "ctwoc"}, requestBudget{"GET": 2, "LIST": 4}},
		{"list", []string{"list"}, requestBudget{"LIST": 4}},
		{"history", []string{"history", "ctwoc"}, requestBudget{"GET": 2, "LIST": 1}},
	}
	// The steps share one release, each starting from where the last one
	// left it: a command that fails ends the test, a count off budget does not.
	for _, step := range steps {
		res := mustShip(t, ns, append([]string{"-v=6"}, step.args...)...)
		requests := loggedRequests(res.stderr, ns)
		if off := offBudget(requests, step.budget); off != "" {
			t.Errorf("%s: %s\nkubectl ship %s made these requests:\n%s",
				step.name, off, strings.Join(step.args, " "), formatRequests(requests))
		}
	}
}

// list makes the same four requests for 200 releases as for one.
func TestListRequestsDoNotGrow(t *testing.T) {
	ns := newRelease(t)
	var manifest strings.Builder
	for i := range 200 {
		fmt.Fprintf(&manifest, "%s---\n", deployment(fmt.Sprintf("app-%03d", i), v1, 0))
	}
	apply(t, ns, manifest.String())
	res := mustShip(t, ns, "list", "-v=6")
	if off := offBudget(loggedRequests(res.stderr, ns), requestBudget{"LIST": 4}); off != "" {
		t.Errorf("list of 201 releases: %s", off)
	}
	if rows := strings.Count(res.stdout, "\n"); rows != 202 {
		t.Errorf("want a header and 201 rows, got %d lines", rows)
	}
}

// offBudget describes every kind of request whose count differs from the
// budget, or returns "" when all match.
func offBudget(requests []loggedRequest, budget requestBudget) string {
	counts := requestBudget{}
	for _, r := range requests {
		counts[r.kind]++
	}
	var off []string
	for _, kind := range sortedKinds(budget, counts) {
		if got, want := counts[kind], budget[kind]; got != want {
			off = append(off, fmt.Sprintf("%d %s (budget %d)", got, kind, want))
		}
	}
	return strings.Join(off, ", ")
}

// responseLine is what client-go logs at -v=6 for every request, once the
// response (for a watch, its headers) arrives.
var responseLine = regexp.MustCompile(`"Response" verb="([A-Z]+)" url="([^"]+)" status="([^"]*)"`)

type loggedRequest struct {
	kind, path, status string
}

// loggedRequests parses the -v=6 log; paths are shown without the server and
// with the test's namespace as NS.
func loggedRequests(log, ns string) []loggedRequest {
	var requests []loggedRequest
	for _, m := range responseLine.FindAllStringSubmatch(log, -1) {
		u, err := url.Parse(m[2])
		if err != nil {
			continue
		}
		path := strings.Replace(u.RequestURI(), "/namespaces/"+ns+"/", "/namespaces/NS/", 1)
		requests = append(requests, loggedRequest{kind: requestKind(m[1], u), path: path, status: m[3]})
	}
	return requests
}

// requestKind tells the three kinds of HTTP GET apart: a watch asks for
// watch=true, a list names a collection, a get names one object (or a
// non-resource path such as /version).
func requestKind(method string, u *url.URL) string {
	if method != "GET" {
		return method
	}
	if u.Query().Get("watch") == "true" {
		return "WATCH"
	}
	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(segments) >= 2 && segments[0] == "api": // /api/v1/...
		segments = segments[2:]
	case len(segments) >= 3 && segments[0] == "apis": // /apis/GROUP/VERSION/...
		segments = segments[3:]
	default: // a non-resource path
		return "GET"
	}
	if len(segments) >= 2 && segments[0] == "namespaces" {
		segments = segments[2:]
	}
	if len(segments) == 1 {
		return "LIST"
	}
	return "GET"
}

func sortedKinds(budgets ...requestBudget) []string {
	seen := map[string]bool{}
	var kinds []string
	for _, b := range budgets {
		for kind := range b {
			if !seen[kind] {
				seen[kind] = true
				kinds = append(kinds, kind)
			}
		}
	}
	sort.Strings(kinds)
	return kinds
}

func formatRequests(requests []loggedRequest) string {
	if len(requests) == 0 {
		return "  (none)"
	}
	lines := make([]string, len(requests))
	for i, r := range requests {
		lines[i] = fmt.Sprintf("  %-6s %s (%s)", r.kind, r.path, r.status)
	}
	return strings.Join(lines, "\n")
}
