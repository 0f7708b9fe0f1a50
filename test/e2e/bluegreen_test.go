//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

const v3 = "example/ctwoc:3.0.0"

func serviceSelector(t *testing.T, ns, name string) string {
	t.Helper()
	return mustKubectl(t, "get", "svc", name, "-n", ns, "-o", "jsonpath={.spec.selector}")
}

func TestBlueGreenSeedFlow(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	watcher := watchEndpoints(t, ns, "ctwoc")

	res := mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2, "--preview-service")
	if !strings.Contains(res.stderr, "blue-green needs twice the capacity") {
		t.Errorf("no capacity warning:\n%s", res.stderr)
	}
	if want := "service/ctwoc configured\ndeployment.apps/ctwoc-green created\nservice/ctwoc-preview created\n"; res.stdout != want {
		t.Errorf("stdout = %q, want %q", res.stdout, want)
	}
	if sel := serviceSelector(t, ns, "ctwoc"); !strings.Contains(sel, `"version":"1.0.0"`) {
		t.Errorf("the Service should route by version to blue: %s", sel)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	eventuallyServed(t, ns, "ctwoc-preview", map[string]int{v2: 3})

	res = mustShip(t, ns, "bluegreen-switch", "ctwoc")
	if res.stdout != "service/ctwoc switched to green\n" || !strings.Contains(res.stderr, "after the switch") {
		t.Errorf("switch: stdout %q stderr %s", res.stdout, res.stderr)
	}
	// ship waited for the endpoints: they are switched when it returns.
	if got := servedImages(t, ns, "ctwoc"); fmt.Sprint(got) != fmt.Sprint(map[string]int{v2: 3}) {
		t.Errorf("right after the switch the endpoints serve %v", got)
	}

	before := settledSnapshot(t, ns)
	res = mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "green")
	if !strings.Contains(res.stderr, "already routes to green") || res.stdout != "" {
		t.Errorf("switching to the serving color should say so: %q %s", res.stdout, res.stderr)
	}
	assertUnchanged(t, ns, before)

	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "green")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})

	// The next release flips the colors: blue is idle, so blue gets 3.0.0.
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v3)
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "deployment/ctwoc"); !strings.Contains(hist, "2 ") {
		t.Errorf("blue's new template should be a new revision:\n%s", hist)
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v3: 3})

	res = mustShip(t, ns, "bluegreen", "cleanup", "ctwoc")
	if res.stdout != "deployment.apps/ctwoc-green scaled\n" {
		t.Errorf("cleanup stdout = %q", res.stdout)
	}
	eventually(t, "green scaled to zero", func() (bool, string) {
		got := mustKubectl(t, "get", "pods", "-n", ns, "-l", "kubectl-ship.dev/color=green", "-o", "name")
		return got == "", got
	})
	res = mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
	if res.stdout != "deployment.apps/ctwoc-green deleted\nservice/ctwoc-preview deleted\n" {
		t.Errorf("cleanup --delete stdout = %q", res.stdout)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v3: 3})
	watcher.assertNeverDark(t)
}

// cleanup --delete while green serves ends the blue-green release on blue:
// blue takes green's template and the traffic back, then green goes, and
// the Service serves the new version throughout. Both label layouts: the
// pods' own version label, and ship's color label.
func TestCleanupDeleteWhileGreenServes(t *testing.T) {
	t.Parallel()
	for _, versioned := range []bool{true, false} {
		t.Run(fmt.Sprintf("version label %v", versioned), func(t *testing.T) {
			ns := seedRelease(t, seed{versioned: versioned})
			mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
			mustShip(t, ns, "bluegreen-switch", "ctwoc")
			eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
			watcher := watchEndpoints(t, ns, "ctwoc")
			res := mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
			if !strings.Contains(res.stdout, "deployment.apps/ctwoc configured\n") || !strings.HasSuffix(res.stdout, "deployment.apps/ctwoc-green deleted\n") {
				t.Errorf("stdout = %q", res.stdout)
			}
			if imageOf(t, ns, "ctwoc") != v2 {
				t.Errorf("blue runs %s, want green's %s", imageOf(t, ns, "ctwoc"), v2)
			}
			eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
			watcher.assertNeverDark(t)
			res = mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
			if res.stdout != "" || !strings.Contains(res.stderr, "no green deployment: nothing to clean up") {
				t.Errorf("again: %q %s", res.stdout, res.stderr)
			}
		})
	}
}

// Without a version label, blue's pods first get ship's color label through
// a rolling update, announced, while the Service keeps serving.
func TestBlueGreenAddsColorLabel(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	watcher := watchEndpoints(t, ns, "ctwoc")
	res := mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	if !strings.Contains(res.stderr, "its pods restart through a rolling update") || !strings.HasPrefix(res.stdout, "deployment.apps/ctwoc labelled\n") {
		t.Errorf("the restart of blue must be announced: stdout %q stderr %s", res.stdout, res.stderr)
	}
	if sel := serviceSelector(t, ns, "ctwoc"); !strings.Contains(sel, `"kubectl-ship.dev/color":"blue"`) {
		t.Errorf("selector = %s", sel)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	watcher.assertNeverDark(t)
}

func TestBlueGreenBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	apply(t, ns, deploymentAndService("plain", v1, 1))
	apply(t, ns, deploymentAndService("canaried", v1, 1))
	mustShip(t, ns, "canary", "canaried", "--image", v2)
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	mustKubectl(t, "scale", "-n", ns, "deployment/ctwoc-green", "--replicas=0")
	// Each case compares snapshots: let the controllers settle first.
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc-green", "--timeout=60s")
	// The pods go first; then their ReplicaSet's status, and from it the
	// Deployment's, count zero: a snapshot taken before that sees them change.
	eventually(t, "green's pods are gone and counted gone", func() (bool, string) {
		pods := mustKubectl(t, "get", "pods", "-n", ns, "-l", "kubectl-ship.dev/color=green", "-o", "name")
		counted := mustKubectl(t, "get", "-n", ns, "deployment/ctwoc-green", "-o", "jsonpath={.status.replicas}")
		return pods == "" && (counted == "" || counted == "0"), pods + " status.replicas=" + counted
	})

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"switch without green", []string{"bluegreen-switch", "plain"}, "has no green deployment"},
		{"unknown color", []string{"bluegreen-switch", "ctwoc", "--to", "purple"}, `--to: unknown color "purple"`},
		{"switch to a color that is not ready", []string{"bluegreen-switch", "ctwoc"}, "green is not ready"},
		{"missing deployment", []string{"bluegreen", "nope", "--image", v2}, "deployment nope not found"},
		{"invalid image", []string{"bluegreen", "ctwoc", "--image", "example/UPPER:1"}, "not a valid image reference"},
		{"unknown container", []string{"bluegreen", "ctwoc", "--image", "db=" + v3}, `container "db" not found`},
		{"service that does not select it", []string{"bluegreen", "plain", "--image", v2, "--service", "ctwoc"}, "does not select the pods of deployment plain"},
		{"bluegreen beside a canary", []string{"bluegreen", "canaried", "--image", v3}, "promote or abort it"},
		{"canary beside blue-green", []string{"canary", "ctwoc", "--image", v3}, "is a blue-green release"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}
}

// --scale-down-delay keeps the switch running, then scales the color that
// stopped serving to zero.
func TestSwitchScaleDownDelay(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	res := mustShip(t, ns, "bluegreen-switch", "ctwoc", "--scale-down-delay", "1s")
	if res.stdout != "service/ctwoc switched to green\ndeployment.apps/ctwoc scaled\n" || !strings.Contains(res.stderr, "staying 1s: keep blue running for 1s, to switch back") {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
	}
	if got := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.replicas}"); got != "0" {
		t.Errorf("blue has %s replicas after the delay, want 0", got)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
}

// While a switch stays before scaling blue down, switching back from
// another shell stops the stay at once: blue keeps running and serves again,
// and the first command says who stopped it.
func TestSwitchBackDuringScaleDownDelay(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	first := startIn(t, ns, []string{"ship", "bluegreen-switch", "ctwoc", "--scale-down-delay", "5m"})
	eventually(t, "the switch stays", func() (bool, string) {
		staying := mustKubectl(t, "get", "lease", "kubectl-ship-ctwoc", "-n", ns, "-o", "jsonpath={.metadata.annotations.kubectl-ship\\.dev/staying-until}")
		return staying != "", staying
	})
	back := mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	if back.stdout != "service/ctwoc switched to blue\n" {
		t.Errorf("switch back: %q\n%s", back.stdout, back.stderr)
	}
	res := first.wait(t)
	if res.code != 0 || !strings.Contains(res.stderr, "stopped for kubectl ship bluegreen-switch ctwoc --to blue") || !strings.Contains(res.stderr, "left undone: blue is idle") {
		t.Errorf("the staying switch should stop, saying why: exit %d\n%s", res.code, res.stderr)
	}
	if got := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.replicas}"); got != "3" {
		t.Errorf("blue has %s replicas, want 3: nothing may scale it down", got)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
		t.Errorf("the lock is still held by %s", holder)
	}
}
