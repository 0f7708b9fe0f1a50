//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

func replicasOf(t *testing.T, ns, deployment string) string {
	t.Helper()
	return mustKubectl(t, "get", "deployment", deployment, "-n", ns, "-o", "jsonpath={.spec.replicas}")
}

func TestScaleKeepsTheCanaryShare(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})

	res := mustShip(t, ns, "scale", "ctwoc", "--replicas", "6")
	if res.stdout != "deployment.apps/ctwoc-canary scaled\ndeployment.apps/ctwoc scaled\n" {
		t.Errorf("stdout = %q", res.stdout)
	}
	if !strings.Contains(res.stderr, "weight 25.0%: 2 canary pods beside 6 stable") {
		t.Errorf("the resulting weight should be said:\n%s", res.stderr)
	}
	// ship waited for both rollouts: the Deployments are complete now.
	for _, d := range []string{"ctwoc", "ctwoc-canary"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=1s")
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 6, v2: 2})

	before := settledSnapshot(t, ns)
	res = mustShip(t, ns, "scale", "ctwoc", "--replicas", "6")
	if res.stdout != "" || !strings.Contains(res.stderr, "already at that size") {
		t.Errorf("scaling to the current size should change nothing and say so: %q %s", res.stdout, res.stderr)
	}
	res = mustShip(t, ns, "scale", "ctwoc", "--replicas", "3", "--dry-run=server", "-o", "name")
	if res.stdout != "deployment.apps/ctwoc-canary\ndeployment.apps/ctwoc\n" {
		t.Errorf("server dry run -o name stdout = %q", res.stdout)
	}
	assertUnchanged(t, ns, before)
}

// Zero is refused by nothing, since --replicas 0 is always explicit, but it
// is said out loud: the Service loses every endpoint.
func TestScaleToZeroAndBack(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	res := mustShip(t, ns, "scale", "ctwoc", "--replicas", "0")
	if res.stdout != "deployment.apps/ctwoc scaled\n" || !strings.Contains(res.stderr, "service ctwoc will have no ready endpoints") {
		t.Errorf("scale to 0: stdout %q stderr %s", res.stdout, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{})
	mustShip(t, ns, "scale", "ctwoc", "--replicas", "2")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 2})
}

func TestScaleBlueGreenScalesTheServingColor(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})

	res := mustShip(t, ns, "scale", "ctwoc", "--replicas", "5")
	if res.stdout != "deployment.apps/ctwoc-green scaled\n" || !strings.Contains(res.stderr, "the idle blue (deployment ctwoc) keeps 3 pods") {
		t.Errorf("scale: stdout %q stderr %s", res.stdout, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 5})
	if got := replicasOf(t, ns, "ctwoc"); got != "3" {
		t.Errorf("the idle color was scaled: blue has %s replicas", got)
	}

	res = mustShip(t, ns, "scale", "ctwoc", "--replicas", "2", "--all-colors")
	if res.stdout != "deployment.apps/ctwoc scaled\ndeployment.apps/ctwoc-green scaled\n" {
		t.Errorf("--all-colors stdout = %q", res.stdout)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 2})
	if got := replicasOf(t, ns, "ctwoc"); got != "2" {
		t.Errorf("--all-colors left blue at %s replicas", got)
	}
}

func TestScaleBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown release", []string{"scale", "nope", "--replicas", "2"}, "deployment nope not found"},
		{"negative replicas", []string{"scale", "ctwoc", "--replicas", "-1"}, "--replicas must not be negative, not -1"},
		{"replicas not a number", []string{"scale", "ctwoc", "--replicas", "many"}, `invalid argument "many" for "--replicas" flag`},
		{"no replicas", []string{"scale", "ctwoc"}, "--replicas is required"},
		{"no release", []string{"scale", "--replicas", "2"}, "give the name of a release"},
		{"colors without blue-green", []string{"scale", "ctwoc", "--replicas", "2", "--all-colors"}, "has no green deployment"},
		{"bad output", []string{"scale", "ctwoc", "--replicas", "2", "-o", "toml"}, "unable to match a printer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}
}
