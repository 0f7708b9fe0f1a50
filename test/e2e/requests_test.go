//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// requestBudget is how many API requests of each kind a command makes: GET,
// LIST and WATCH (all three are HTTP GETs), POST, PATCH, PUT and DELETE.
type requestBudget = requestlog.Counts

// TestRequestBudgets runs a release through canary, promote and abort and
// counts each command's API requests from its -v=6 log. The budgets are the
// fewest requests each step needs, so the counts must match them exactly: one
// more is a wasted round trip, one fewer a skipped read or wait.
func TestRequestBudgets(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	seedStatefulSet(t, ns, 2, "")
	seedDaemonSet(t, ns, 2, "{type: RollingUpdate}")
	canary := []string{"canary", "ctwoc", "--image", v2, "--weight", "25"}
	// Every verb but version first reads the release: the Deployments and
	// the Services of its namespace (two LISTs); canary and scale also list
	// the HorizontalPodAutoscalers, to warn of them. A command that writes
	// reads the release's lock (GET of its Lease) before the release, checks
	// that the user may make every request of its plan (one
	// SelfSubjectRulesReview) and asks who the user is, for the record (one
	// SelfSubjectReview), then takes the lock from the Lease as read (POST
	// the first time, PUT after: refused if any operation took it since, so
	// the plan is never stale), releases it with the operation recorded (PUT)
	// and leaves an Event on the Deployment (POST). One with nothing to write
	// reads the lock too, to free it if an interrupted run left it held.
	// canary and bluegreen-switch look for the HTTPRoutes that send traffic
	// to the release, and finding none, for the ReferenceGrants that would
	// let another namespace's (LIST each); promote, abort and cleanup read
	// only the route a release records (TestRouteRequestBudgets counts the
	// verbs through a route).
	steps := []budgetStep{
		{"version --client", []string{"version", "--client"}, requestBudget{}},
		{"version", []string{"version"}, requestBudget{"GET": 1}},
		{"canary create", canary, requestBudget{"GET": 1, "LIST": 5, "POST": 5, "PUT": 1, "WATCH": 1}},
		{"canary re-run", canary, requestBudget{"GET": 1, "LIST": 5}},
		{"canary resize sticky", []string{"canary", "ctwoc", "--image", v2, "--weight", "50", "--sticky"},
			requestBudget{"GET": 1, "LIST": 5, "POST": 3, "PUT": 2, "PATCH": 2, "WATCH": 1}},
		{"promote sticky", []string{"promote", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "PATCH": 2, "WATCH": 1, "DELETE": 1}},
		{"canary create again", []string{"canary", "ctwoc", "--image", v1}, requestBudget{"GET": 1, "LIST": 5, "POST": 4, "PUT": 2, "WATCH": 1}},
		{"abort", []string{"abort", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "DELETE": 1}},
		{"abort without canary", []string{"abort", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2}},
		// status adds the Services' EndpointSlices and the release's pods.
		{"status", []string{"status", "ctwoc"}, requestBudget{"GET": 1, "LIST": 5}},
		// list reads the StatefulSets and DaemonSets too, for their releases.
		{"list", []string{"list"}, requestBudget{"LIST": 6}},
		{"history", []string{"history", "ctwoc"}, requestBudget{"GET": 2, "LIST": 1}},
		workloadReads[0], workloadReads[1], workloadReads[2], workloadReads[3],
		// A resize or a new image is one PATCH and a wait on its rollout.
		{"scale", []string{"scale", "ctwoc", "--replicas", "4"}, requestBudget{"GET": 1, "LIST": 3, "POST": 3, "PUT": 2, "PATCH": 1, "WATCH": 1}},
		{"set image", []string{"set", "image", "ctwoc", v1}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "PATCH": 1, "WATCH": 1}},
		// The first blue-green labels blue's pods with their color (a rolling
		// update, waited on) before green comes up (a create, waited on).
		{"bluegreen", []string{"bluegreen", "ctwoc", "--image", v3}, requestBudget{"GET": 1, "LIST": 2, "POST": 4, "PUT": 2, "PATCH": 2, "WATCH": 2}},
		// A switch patches the Service, then lists the pods it now selects and
		// its EndpointSlices; it watches them only if they are not yet right.
		{"bluegreen-switch", []string{"bluegreen-switch", "ctwoc"}, requestBudget{"GET": 1, "LIST": 6, "POST": 3, "PUT": 2, "PATCH": 1, "WATCH": 1}},
		{"bluegreen-switch back", []string{"bluegreen-switch", "ctwoc", "--to", "blue"}, requestBudget{"GET": 1, "LIST": 6, "POST": 3, "PUT": 2, "PATCH": 1, "WATCH": 1}},
		{"bluegreen cleanup", []string{"bluegreen", "cleanup", "ctwoc", "--delete"}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "DELETE": 1}},
	}
	// The steps share one release, each starting from where the last one
	// left it: a command that fails ends the test, a count off budget does not.
	for _, step := range steps {
		res := mustShip(t, ns, append([]string{"-v=6"}, step.args...)...)
		requests := requestlog.Parse(res.stderr, ns)
		budget := step.budget
		if step.args[0] == "bluegreen-switch" && requestlog.Count(requests)["WATCH"] == 0 {
			// The endpoints were already right when listed.
			budget = maps.Clone(budget)
			delete(budget, "WATCH")
		}
		if off := offBudget(requests, budget); off != "" {
			t.Errorf("%s: %s\nkubectl ship %s made these requests:\n%s",
				step.name, off, strings.Join(step.args, " "), requestlog.Format(requests))
		}
	}
}

// budgetStep is a command and the requests it makes.
type budgetStep struct {
	name   string
	args   []string
	budget requestBudget
}

// workloadReads are the reads of the releases of StatefulSet db and
// DaemonSet agent. Each first looks for a Deployment of the name (status
// lists the Deployments, history gets it); a DaemonSet's then looks for a
// StatefulSet (GET). status reads the workload, its pods (LIST) and the lock
// (GET); history the workload, its ControllerRevisions (LIST) and the lock.
var workloadReads = []budgetStep{
	{"statefulset status", []string{"status", "db"}, requestBudget{"GET": 2, "LIST": 2}},
	{"statefulset history", []string{"history", "db"}, requestBudget{"GET": 3, "LIST": 1}},
	{"daemonset status", []string{"status", "agent"}, requestBudget{"GET": 3, "LIST": 2}},
	{"daemonset history", []string{"history", "agent"}, requestBudget{"GET": 4, "LIST": 1}},
}

// list makes the same six requests for 200 releases as for one, and status
// and history of a StatefulSet's and a DaemonSet's release as many at 6
// pods as at 2.
func TestListRequestsDoNotGrow(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	for _, pods := range []int{2, 6} {
		seedStatefulSet(t, ns, pods, "")
		seedDaemonSet(t, ns, pods, "{type: RollingUpdate}")
		for _, step := range workloadReads {
			requests := requestlog.Parse(mustShip(t, ns, append([]string{"-v=6"}, step.args...)...).stderr, ns)
			if off := offBudget(requests, step.budget); off != "" {
				t.Errorf("%s at %d pods: %s\n%s", step.name, pods, off, requestlog.Format(requests))
			}
		}
	}
	var manifest strings.Builder
	for i := range 200 {
		fmt.Fprintf(&manifest, "%s---\n", deployment(fmt.Sprintf("app-%03d", i), v1, 0))
	}
	apply(t, ns, manifest.String())
	res := mustShip(t, ns, "list", "-v=6")
	if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"LIST": 6}); off != "" {
		t.Errorf("list of 203 releases: %s", off)
	}
	// The header, ctwoc, the 200 Deployments, db and agent.
	if rows := strings.Count(res.stdout, "\n"); rows != 204 {
		t.Errorf("want a header and 203 rows, got %d lines", rows)
	}
}

// offBudget describes every kind of request whose count differs from the
// budget, or returns "" when all match.
func offBudget(requests []requestlog.Request, budget requestBudget) string {
	counts := requestlog.Count(requests)
	var off []string
	for _, kind := range requestlog.Kinds(budget, counts) {
		if got, want := counts[kind], budget[kind]; got != want {
			off = append(off, fmt.Sprintf("%d %s (budget %d)", got, kind, want))
		}
	}
	return strings.Join(off, ", ")
}

// TestAdoptRequestBudgets counts the requests of picking up the
// walkthrough's canary made by hand: status, list and the refusals read no
// more than for a release of ship's; adopt writes one PATCH, then watches
// the Deployment until its controller has seen it (the annotations bump its
// generation).
func TestAdoptRequestBudgets(t *testing.T) {
	ns := walkthroughRelease(t, walkthroughCanary...)
	steps := []budgetStep{
		{"status", []string{"status", "ctwoc"}, requestBudget{"GET": 1, "LIST": 5}},
		{"list", []string{"list"}, requestBudget{"LIST": 6}},
		{"adopt --dry-run=client", []string{"adopt", "ctwoc", "--dry-run=client"}, requestBudget{"LIST": 2}},
		{"adopt", []string{"adopt", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2, "POST": 4, "PUT": 1, "PATCH": 1, "WATCH": 1}},
		{"adopt again", []string{"adopt", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2}},
		{"promote", []string{"promote", "ctwoc"}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "PATCH": 1, "WATCH": 1, "DELETE": 1}},
	}
	for _, step := range steps {
		res := mustShip(t, ns, append([]string{"-v=6"}, step.args...)...)
		requests := requestlog.Parse(res.stderr, ns)
		budget := step.budget
		if step.name == "adopt" && requestlog.Count(requests)["WATCH"] == 0 {
			// The controller had seen the adoption when the PATCH answered.
			budget = maps.Clone(budget)
			delete(budget, "WATCH")
		}
		if off := offBudget(requests, budget); off != "" {
			t.Errorf("%s: %s\nkubectl ship %s made these requests:\n%s",
				step.name, off, strings.Join(step.args, " "), requestlog.Format(requests))
		}
	}
}
