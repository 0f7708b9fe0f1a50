//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// pausing is a progression of v2 that pauses after its first step for an
// approval: 25%, pause, 50%, each step held 2 s.
func pausing(extra ...string) []string {
	return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25,pause,50", "--interval", "2s",
		"--check-every", "1s", "--ready-grace", "3s"}, extra...)
}

// awaitingApproval waits until the release's progression awaits a verdict.
func awaitingApproval(t *testing.T, ns string) {
	t.Helper()
	eventually(t, "the pause", func() (bool, string) {
		st := shipStatus(t, ns, "ctwoc")
		return st.Progression.Phase == "Paused", st.Progression.Phase
	})
}

// The runner in the foreground sees the approval arrive and goes on;
// status says since when it awaited, status --until approved returns once
// it is approved, and history lists who approved and why.
func TestApprovalApprove(t *testing.T) {
	ns := seedRelease(t, seed{})
	run := startIn(t, ns, pausing())
	awaitingApproval(t, ns)
	if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "Progression: Paused, step 2 of 3 (25%) of 25,pause,50, awaiting approval since ") {
		t.Errorf("status:\n%s", text)
	}
	until := startIn(t, ns, []string{"ship", "status", "ctwoc", "--until", "approved", "--timeout", "60s"})

	res := mustShip(t, ns, "approve", "ctwoc", "--reason", "error rate flat")
	if res.stdout != "release/ctwoc approved (step 2 of 3)\n" || !strings.Contains(res.stderr, "the progression goes on in kubectl ship canary ctwoc") {
		t.Errorf("approve:\n%s%s", res.stdout, res.stderr)
	}
	if res := until.wait(t); res.code != 0 {
		t.Errorf("status --until approved: exit %d\n%s", res.code, res.stderr)
	}
	out := run.wait(t)
	if out.code != 0 || !strings.Contains(out.stderr, "step 2 of 3 approved by kubernetes-admin: error rate flat") || !strings.Contains(out.stdout, "deployment.apps/ctwoc promoted") {
		t.Errorf("the runner: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
	history := strings.Join(strings.Fields(mustShip(t, ns, "history", "ctwoc").stdout), " ")
	if !strings.Contains(history, "kubectl ship approve ctwoc --reason 'error rate flat' step 2 of 3 approved: error rate flat") {
		t.Errorf("history does not list the approval:\n%s", history)
	}
	if res := ship(t, ns, "approve", "ctwoc"); res.code != 1 || !strings.Contains(res.stderr, "awaits no approval: its progression is Promoted") {
		t.Errorf("approve once promoted: exit %d %s", res.code, res.stderr)
	}
}

// A rejection reaches the runner, which rolls the canary back, records
// why, and exits 4 as a gate's failure does.
func TestApprovalReject(t *testing.T) {
	ns := seedRelease(t, seed{})
	run := startIn(t, ns, pausing())
	awaitingApproval(t, ns)
	assertRefused(t, ns, 1, "--reason is required", "reject", "ctwoc")
	mustShip(t, ns, "reject", "ctwoc", "--reason", "p99 doubled")
	out := run.wait(t)
	if out.code != 4 || !strings.Contains(out.stderr, "rejected by kubernetes-admin: p99 doubled; rolled back: deployment.apps/ctwoc-canary deleted") {
		t.Errorf("the runner: exit %d\n%s", out.code, out.stderr)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v1: 3}))
	if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "RolledBack" || !strings.Contains(st.Progression.Reason, "rejected by kubernetes-admin: p99 doubled") {
		t.Errorf("status: %+v", st.Progression)
	}
	if history := mustShip(t, ns, "history", "ctwoc").stdout; !strings.Contains(history, "step 2 of 3 rejected: p99 doubled") {
		t.Errorf("history does not list the rejection:\n%s", history)
	}
}

// Killed while it awaits approval, the progression resumes: run again, the
// same command awaits the same pause; with no process running it, approve
// carries it on itself, and reject rolls it back itself.
func TestApprovalAfterKill(t *testing.T) {
	kill := func(t *testing.T, ns string) {
		run := startIn(t, ns, pausing())
		awaitingApproval(t, ns)
		_ = run.cmd.Process.Signal(syscall.SIGKILL)
		_ = run.cmd.Wait()
	}
	t.Run("run again, then approve", func(t *testing.T) {
		ns := seedRelease(t, seed{})
		kill(t, ns)
		since := mustShip(t, ns, "status", "ctwoc", "-o", "jsonpath={.progression.since}").stdout
		again := startIn(t, ns, pausing())
		eventually(t, "the run again awaiting", func() (bool, string) {
			return strings.Contains(again.stderr.String(), "awaiting approval at step 2 of 3"), again.stderr.String()
		})
		if now := mustShip(t, ns, "status", "ctwoc", "-o", "jsonpath={.progression.since}").stdout; now != since {
			t.Errorf("the pause began at %s, now %s: the same pause is awaited", since, now)
		}
		mustShip(t, ns, "approve", "ctwoc")
		if out := again.wait(t); out.code != 0 || !strings.Contains(out.stdout, "deployment.apps/ctwoc promoted") {
			t.Errorf("the run again: exit %d\n%s%s", out.code, out.stdout, out.stderr)
		}
	})
	t.Run("approve with no runner", func(t *testing.T) {
		ns := seedRelease(t, seed{})
		kill(t, ns)
		res := mustShip(t, ns, "approve", "ctwoc", "--reason", "go")
		if !strings.Contains(res.stderr, "no process runs the progression of release ctwoc: this one (") ||
			!strings.Contains(res.stderr, "holding step 3 of 3 (50%)") || !strings.Contains(res.stdout, "deployment.apps/ctwoc promoted") {
			t.Errorf("approve:\n%s%s", res.stdout, res.stderr)
		}
		settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
		if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
			t.Errorf("the lock is still held by %s", holder)
		}
	})
	t.Run("reject with no runner", func(t *testing.T) {
		ns := seedRelease(t, seed{})
		kill(t, ns)
		res := mustShip(t, ns, "reject", "ctwoc", "--reason", "no")
		if !strings.Contains(res.stdout, "deployment.apps/ctwoc-canary deleted") {
			t.Errorf("reject:\n%s%s", res.stdout, res.stderr)
		}
		settledState(t, ns, fmt.Sprint(map[string]int{v1: 3}))
		if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "RolledBack" || !strings.Contains(st.Progression.Reason, "rejected by kubernetes-admin: no") {
			t.Errorf("status: %+v", st.Progression)
		}
	})
}

// Approving needs the right to update the release's Lease and nothing
// else: a user the Role grants it may approve; one without it is refused,
// and nothing changes.
func TestApprovalRBAC(t *testing.T) {
	ns := seedRelease(t, seed{})
	bindRole(t, ns, "approver", forReleases(readRole(t, "approver-role.yaml"), "ctwoc"))
	bindRole(t, ns, "viewer", without(forReleases(readRole(t, "approver-role.yaml"), "ctwoc"), "coordination.k8s.io", "leases", "update"))
	run := startIn(t, ns, pausing())
	awaitingApproval(t, ns)
	lease := func() string {
		l, err := apiClient(t).CoordinationV1().Leases(ns).Get(context.Background(), "kubectl-ship-ctwoc", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return l.Annotations["kubectl-ship.dev/progression"] + l.Annotations["kubectl-ship.dev/history"]
	}
	before := lease()
	assertRefused(t, ns, 1, `forbidden: kubectl-ship needs "update" on leases.coordination.k8s.io named kubectl-ship-ctwoc`, "approve", "ctwoc", "--as", "viewer")
	if after := lease(); after != before {
		t.Errorf("a refused approval changed the record:\n%s\n%s", before, after)
	}
	mustShip(t, ns, "approve", "ctwoc", "--as", "approver", "--reason", "signed off")
	if out := run.wait(t); out.code != 0 || !strings.Contains(out.stderr, "step 2 of 3 approved by approver: signed off") {
		t.Errorf("the runner: exit %d\n%s", out.code, out.stderr)
	}
}
