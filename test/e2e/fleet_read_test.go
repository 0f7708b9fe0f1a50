//go:build e2e

package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// list, status and history across every context: one table, the clusters
// in order, the dead and the forbidden one each a row with its error, exit
// 5; each cluster is read with the requests of a single-cluster read.
func TestFleetReads(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)

	res := fleetShip(t, nil, ns, "list", "--all-contexts")
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if res.code != 5 || len(lines) != 6 || !strings.HasPrefix(lines[0], "CONTEXT ") {
		t.Fatalf("list --all-contexts: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for i, want := range []string{`^fleet-a +ctwoc +none +Healthy +example/ctwoc:1.0.0 `, `^fleet-b +ctwoc `, `^fleet-c +ctwoc `,
		`^fleet-dead +error: .*127\.0\.0\.1:\d+.*connection refused`, `^fleet-forbidden +error: .*"ship-nobody" cannot list resource "deployments"`} {
		if !regexp.MustCompile(want).MatchString(lines[i+1]) {
			t.Errorf("row %d: %q does not match %s", i+1, lines[i+1], want)
		}
	}
	if want := "error: not every cluster is healthy: unreachable or forbidden in fleet-dead, fleet-forbidden\n"; res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}

	// -o json: one list, each item with its context; -v=6 shows the same
	// five lists per cluster as one cluster's list makes.
	res = fleetShip(t, nil, ns, "list", "--contexts", "fleet-c,fleet-[ab]", "-o", "json", "-v=6")
	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Context  string                `json:"context"`
			Metadata struct{ Name string } `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &list); err != nil || res.code != 0 {
		t.Fatalf("list -o json: exit %d, %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	var order []string
	for _, item := range list.Items {
		order = append(order, item.Context+"/"+item.Metadata.Name)
	}
	if got := strings.Join(order, " "); list.Kind != "ReleaseStatusList" || got != "fleet-c/ctwoc fleet-a/ctwoc fleet-b/ctwoc" {
		t.Errorf("kind %s, items %s", list.Kind, got)
	}
	checkPerCluster(t, ns, res.stderr, "list")

	res = fleetShip(t, nil, ns, "status", "ctwoc", "--contexts", "fleet-[abc]", "-v=6")
	if res.code != 0 || !regexp.MustCompile(`(?m)^fleet-b +ctwoc +none +Healthy .* ctwoc +stable 100\.0% \(3\)$`).MatchString(res.stdout) {
		t.Errorf("status --contexts fleet-[abc]: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	checkPerCluster(t, ns, res.stderr, "status", "ctwoc")

	res = fleetShip(t, nil, ns, "history", "nope", "--contexts", "fleet-a,fleet-b")
	if res.code != 3 || !strings.Contains(res.stderr, "release not found in fleet-a, fleet-b") {
		t.Errorf("history of no release: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// urlPort finds the API server's port of each -v=6 response line.
var urlPort = regexp.MustCompile(`"Response" verb="[A-Z]+" url="https://127\.0\.0\.1:(\d+)/`)

// checkPerCluster holds each cluster a fleet read reached to the requests
// the same read makes of one cluster (--context fleet-a).
func checkPerCluster(t *testing.T, ns, log string, read ...string) {
	t.Helper()
	what := strings.Join(read, " ")
	single := fleetShip(t, nil, ns, append(read, "--context", "fleet-a", "-v=6")...)
	budget := requestlog.Count(requestlog.Parse(single.stderr, ns))
	byPort := map[string]*strings.Builder{}
	for _, line := range strings.Split(log, "\n") {
		if m := urlPort.FindStringSubmatch(line); m != nil {
			if byPort[m[1]] == nil {
				byPort[m[1]] = &strings.Builder{}
			}
			byPort[m[1]].WriteString(line + "\n")
		}
	}
	if len(byPort) != 3 {
		t.Errorf("%s: requests to %d API servers, want the three clusters'", what, len(byPort))
	}
	for port, lines := range byPort {
		requests := requestlog.Parse(lines.String(), ns)
		if off := offBudget(requests, budget); off != "" || budget.Total() == 0 {
			t.Errorf("%s, the cluster on port %s: %s\n%s", what, port, off, requestlog.Format(requests))
		}
	}
}
