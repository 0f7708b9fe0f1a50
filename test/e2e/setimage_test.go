//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

func imageOf(t *testing.T, ns, deployment string) string {
	t.Helper()
	return mustKubectl(t, "get", "deployment", deployment, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
}

func TestSetImageRollsTheStablePods(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	res := mustShip(t, ns, "set", "image", "ctwoc", v2)
	if res.stdout != "deployment.apps/ctwoc image updated\n" {
		t.Errorf("stdout = %q", res.stdout)
	}
	if !strings.Contains(res.stderr, `deployment "ctwoc" successfully rolled out`) {
		t.Errorf("the progress should be shown as kubectl rollout status does:\n%s", res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "deployment/ctwoc"); !strings.Contains(hist, "\n2 ") {
		t.Errorf("kubectl rollout history should show revision 2:\n%s", hist)
	}

	before := settledSnapshot(t, ns)
	res = mustShip(t, ns, "set", "image", "ctwoc", "ctwoc="+v2)
	if res.stdout != "" || !strings.Contains(res.stderr, "already runs ctwoc="+v2) {
		t.Errorf("the same image should change nothing and say so: %q %s", res.stdout, res.stderr)
	}
	assertUnchanged(t, ns, before)
}

// stallRollouts makes every rollout in ns stall: a quota of as many pods as
// run already leaves the new ReplicaSet no room for its first pod (with 3
// replicas the default strategy has maxUnavailable 0), while the old pods
// keep serving. kwok would make any pod that exists ready.
func stallRollouts(t *testing.T, ns string, pods string) {
	t.Helper()
	mustKubectl(t, "create", "quota", "pods", "-n", ns, "--hard=pods="+pods)
	eventually(t, "the quota counts the pods", func() (bool, string) {
		used := mustKubectl(t, "get", "quota", "pods", "-n", ns, "-o", "jsonpath={.status.used.pods}")
		return used == pods, used
	})
}

func TestSetImageUndoOnFailure(t *testing.T) {
	t.Run("progress deadline", func(t *testing.T) {
		ns := seedRelease(t, seed{rolledOut: true})
		mustKubectl(t, "patch", "deployment", "ctwoc", "-n", ns, "-p", `{"spec":{"progressDeadlineSeconds":3}}`)
		stallRollouts(t, ns, "3")
		res := ship(t, ns, "set", "image", "ctwoc", v2, "--undo-on-failure", "--timeout", "2m")
		if res.code != 1 || !strings.Contains(res.stderr, `deployment "ctwoc" exceeded its progress deadline; undone: deployment.apps/ctwoc rolled back to revision 1`) {
			t.Errorf("want exit 1 and the rollback said; got exit %d:\n%s", res.code, res.stderr)
		}
		if res.stdout != "deployment.apps/ctwoc image updated\ndeployment.apps/ctwoc rolled back to revision 1\n" {
			t.Errorf("stdout = %q", res.stdout)
		}
		assertRolledBack(t, ns)
	})

	t.Run("timeout", func(t *testing.T) {
		ns := seedRelease(t, seed{rolledOut: true})
		stallRollouts(t, ns, "3")
		// Without --undo-on-failure the stalled rollout stays, with the way out.
		res := ship(t, ns, "set", "image", "ctwoc", v2, "--timeout", "2s")
		if res.code != 1 || !strings.Contains(res.stderr, "timed out waiting for the rollout of deployment ctwoc") ||
			!strings.Contains(res.stderr, "'kubectl rollout undo deployment/ctwoc'") {
			t.Errorf("timeout without undo: exit %d:\n%s", res.code, res.stderr)
		}
		if got := imageOf(t, ns, "ctwoc"); got != v2 {
			t.Errorf("without --undo-on-failure the image should stay %s, is %s", v2, got)
		}
		// Run again with it: nothing to set, the wait times out, the undo runs.
		res = ship(t, ns, "set", "image", "ctwoc", v2, "--timeout", "3s", "--undo-on-failure")
		if res.code != 1 || !strings.Contains(res.stderr, "timed out waiting for the rollout of deployment ctwoc") ||
			!strings.Contains(res.stderr, "undone: deployment.apps/ctwoc rolled back to revision 1") {
			t.Errorf("want exit 1 and the rollback said; got exit %d:\n%s", res.code, res.stderr)
		}
		if res.stdout != "deployment.apps/ctwoc rolled back to revision 1\n" {
			t.Errorf("stdout = %q", res.stdout)
		}
		assertRolledBack(t, ns)
	})
}

// assertRolledBack checks that ctwoc runs v1 again, as its newest revision,
// and that its three v1 pods kept serving.
func assertRolledBack(t *testing.T, ns string) {
	t.Helper()
	if got := imageOf(t, ns, "ctwoc"); got != v1 {
		t.Errorf("after the rollback the image is %s, want %s", got, v1)
	}
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	// The old ReplicaSet becomes the newest revision, as with kubectl rollout undo.
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "deployment/ctwoc"); !strings.Contains(hist, "\n3 ") {
		t.Errorf("kubectl rollout history should show revision 3:\n%s", hist)
	}
}

func TestSetImageBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	apply(t, ns, deploymentAndService("canaried", v1, 1))
	mustShip(t, ns, "canary", "canaried", "--image", v2)
	apply(t, ns, deploymentAndService("paused", v1, 1))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/paused", "--timeout=60s")
	mustKubectl(t, "rollout", "pause", "-n", ns, "deployment/paused")
	apply(t, ns, deploymentAndService("bg", v1, 1))
	mustShip(t, ns, "bluegreen", "bg", "--image", v2)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown release", []string{"set", "image", "nope", v2}, "deployment nope not found"},
		{"malformed image", []string{"set", "image", "ctwoc", "Bad Image!"}, `"Bad Image!" is not a valid image reference`},
		{"unknown container", []string{"set", "image", "ctwoc", "sidecar=" + v2}, `container "sidecar" not found: the pods have 1 container (ctwoc)`},
		{"no image", []string{"set", "image", "ctwoc"}, "give the new image(s) after the release name"},
		{"canary in place", []string{"set", "image", "canaried", v3}, "has a canary (canaried-canary)"},
		{"blue-green release", []string{"set", "image", "bg", v3}, "release bg is a blue-green release (deployment bg-green exists)"},
		{"paused", []string{"set", "image", "paused", v2}, "resume it with 'kubectl rollout resume deployment/paused'"},
		{"undo without waiting", []string{"set", "image", "ctwoc", v2, "--undo-on-failure", "--wait=false"}, "--undo-on-failure needs --wait"},
		{"unknown subcommand", []string{"set", "env", "ctwoc"}, `unknown command "env" for "kubectl ship set"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}
}
