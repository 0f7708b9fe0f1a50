//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// Every input a user can get wrong across the fleet is one error line, exit
// 1 (5 for a cluster that does not answer), and no change in any cluster.
func TestFleetBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	before := fleetSnapshots(t, ns)
	canary := []string{"canary", "ctwoc", "--image", v2}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{append(canary, "--contexts", "prod-*"), 1, `--contexts: "prod-*" matches no context of the kubeconfig (its contexts: fleet-a, fleet-b, fleet-c, fleet-dead, fleet-forbidden)`},
		{append(canary, "--contexts", "fleet-a,fleet-z"), 1, `--contexts: context "fleet-z" is not in the kubeconfig`},
		{append(canary, "--wave", "fleet-a", "--wave", "fleet-z"), 1, `--wave 2: context "fleet-z" is not in the kubeconfig`},
		{append(canary, "--context", "fleet-a", "--contexts", "fleet-b"), 1, "--context names one cluster: give --context or --contexts/--all-contexts, not both"},
		{append(canary, "--wave", "fleet-a", "--wave", ""), 1, "--wave 2 is empty: give it context names or globs"},
		{append(canary, "--wave", "fleet-a,fleet-b", "--wave", "fleet-[bc]"), 1, "context fleet-b is in --wave 1 and --wave 2: each context goes in one wave"},
		{append(canary, "--contexts", "fleet-a", "--soak", "1m"), 1, "--soak needs --wave: the soak follows each wave"},
		{append(canary, "--wave", "fleet-a", "--wave", "fleet-dead"), 5, "nothing changed: fleet-dead did not answer, and every cluster of the fleet must before the first write"},
	}
	for _, tt := range tests {
		res := fleetShip(t, nil, ns, tt.args...)
		if res.code != tt.code || !strings.Contains(res.stderr, "error: "+tt.want) || strings.Count(res.stderr, "error: ") != 1 {
			t.Errorf("%s: exit %d, want %d and %q\nstderr: %s", strings.Join(tt.args, " "), res.code, tt.code, tt.want, res.stderr)
		}
	}
	for _, c := range fleetContexts {
		if after := clusterSnapshot(t, fleetEnv.clients[c], ns); after != before[c] {
			t.Errorf("%s changed:\n%s\n%s", c, before[c], after)
		}
	}
}
