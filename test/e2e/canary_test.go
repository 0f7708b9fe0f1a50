//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

const (
	v1 = "example/ctwoc:1.0.0"
	v2 = "example/ctwoc:2.0.0"
)

func ship(t *testing.T, ns string, args ...string) result {
	t.Helper()
	return kubectl(t, append([]string{"ship", "-n", ns}, args...)...)
}

func mustShip(t *testing.T, ns string, args ...string) result {
	t.Helper()
	res := ship(t, ns, args...)
	if res.code != 0 {
		t.Fatalf("kubectl ship %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

func TestCanaryResizeStickyPromote(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})

	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	if res.stdout != "deployment.apps/ctwoc-canary created\n" {
		t.Errorf("stdout = %q", res.stdout)
	}
	if !strings.Contains(res.stderr, "weight 25.0%: 1 canary pod beside 3 stable") {
		t.Errorf("the weight line is missing from stderr:\n%s", res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})

	before := settledSnapshot(t, ns)
	res = mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	if !strings.Contains(res.stderr, "already at 25.0%") || res.stdout != "" {
		t.Errorf("a re-run should change nothing and say so; stdout %q stderr:\n%s", res.stdout, res.stderr)
	}
	assertUnchanged(t, ns, before)

	res = mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "50", "--sticky")
	if !strings.Contains(res.stdout, "deployment.apps/ctwoc-canary scaled") || !strings.Contains(res.stdout, "service/ctwoc configured") {
		t.Errorf("stdout = %q", res.stdout)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 3})
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.sessionAffinity}"); got != "ClientIP" {
		t.Errorf("sessionAffinity = %q, want ClientIP", got)
	}
	// What ship creates stays a plain Deployment for kubectl rollout.
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc-canary", "--timeout=30s")

	res = mustShip(t, ns, "promote", "ctwoc")
	if !strings.Contains(res.stdout, "deployment.apps/ctwoc promoted") || !strings.Contains(res.stdout, "deployment.apps/ctwoc-canary deleted") {
		t.Errorf("stdout = %q", res.stdout)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.sessionAffinity}"); got != "None" {
		t.Errorf("sessionAffinity = %q after promote, want None restored", got)
	}
	if res := kubectl(t, "get", "deployment", "ctwoc-canary", "-n", ns); res.code == 0 {
		t.Error("the canary Deployment still exists after promote")
	}
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "deployment/ctwoc"); !strings.Contains(hist, "2 ") {
		t.Errorf("kubectl rollout history should show revision 2:\n%s", hist)
	}
	// Promote again: already promoted is an answer, not an error, and
	// changes nothing. After an abort there is nothing to promote: exit 1.
	before = settledSnapshot(t, ns)
	if res := ship(t, ns, "promote", "ctwoc"); res.code != 0 || !strings.Contains(res.stderr, "already done by 'kubectl ship promote ctwoc'") {
		t.Errorf("second promote: exit %d, %s", res.code, res.stderr)
	}
	assertUnchanged(t, ns, before)
	mustShip(t, ns, "canary", "ctwoc", "--image", v1)
	mustShip(t, ns, "abort", "ctwoc")
	before = settledSnapshot(t, ns)
	if res := ship(t, ns, "promote", "ctwoc"); res.code != 1 || !strings.Contains(res.stderr, "no canary to promote") {
		t.Errorf("promote after abort: exit %d, %s", res.code, res.stderr)
	}
	assertUnchanged(t, ns, before)
}

func TestAbortLeavesStableUntouched(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	stableRV := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.metadata.generation}")
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--replicas", "1", "--sticky=600")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.sessionAffinityConfig.clientIP.timeoutSeconds}"); got != "600" {
		t.Errorf("affinity timeout = %q, want 600", got)
	}

	res := mustShip(t, ns, "abort", "ctwoc")
	if !strings.Contains(res.stdout, "deployment.apps/ctwoc-canary deleted") {
		t.Errorf("stdout = %q", res.stdout)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	if got := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.metadata.generation}"); got != stableRV {
		t.Errorf("abort changed the stable Deployment: generation %s -> %s", stableRV, got)
	}
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.sessionAffinity}"); got != "None" {
		t.Errorf("sessionAffinity = %q after abort, want None", got)
	}

	before := settledSnapshot(t, ns)
	res = mustShip(t, ns, "abort", "ctwoc")
	if !strings.Contains(res.stderr, "nothing to abort") {
		t.Errorf("abort without canary should say so: %s", res.stderr)
	}
	assertUnchanged(t, ns, before)
}

func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	before := settledSnapshot(t, ns)
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--dry-run=client")
	if res.stdout != "deployment.apps/ctwoc-canary created (dry run)\n" {
		t.Errorf("client dry run stdout = %q", res.stdout)
	}
	res = mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--sticky", "--dry-run=server", "-o", "name")
	if res.stdout != "deployment.apps/ctwoc-canary\nservice/ctwoc\n" {
		t.Errorf("server dry run -o name stdout = %q", res.stdout)
	}
	assertUnchanged(t, ns, before)
}

// A promote killed right after its first write (the stable Deployment rolled
// to the canary's template) converges when run again.
func TestPromoteKilledMidwayConverges(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--sticky")
	res := kubectlEnv(t, []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=1"}, "ship", "-n", ns, "promote", "ctwoc")
	if res.code == 0 {
		t.Fatalf("the crash switch did not stop promote:\n%s", res.stderr)
	}
	if out := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(out, "Operation: kubectl ship promote ctwoc") {
		t.Errorf("status should show the interrupted promote:\n%s", out)
	}
	if res := ship(t, ns, "abort", "ctwoc"); res.code != 1 || !strings.Contains(res.stderr, "a promote was started") {
		t.Errorf("abort in the middle of a promote should refuse: exit %d %s", res.code, res.stderr)
	}
	mustShip(t, ns, "promote", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.sessionAffinity}"); got != "None" {
		t.Errorf("sessionAffinity = %q, want None", got)
	}
}
