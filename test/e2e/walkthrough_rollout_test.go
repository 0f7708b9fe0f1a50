//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// The walkthrough's kubectl rollout pause, resume and undo, on a release
// ship holds: a paused stable Deployment is reported and refused a promotion
// with the command that resumes it; resumed, the promotion goes through; and
// kubectl rollout undo brings the previous template back, which ship then
// reads as a release without a canary.
func TestWalkthroughRolloutPauseResumeUndo(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2)
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})

	mustKubectl(t, "rollout", "pause", "-n", ns, "deployment/ctwoc")
	if st := shipStatus(t, ns, "ctwoc"); !strings.Contains(strings.Join(st.Warnings, "\n"), "resume it with 'kubectl rollout resume deployment/ctwoc'") {
		t.Errorf("status should warn that the stable Deployment is paused: %q", st.Warnings)
	}
	assertRefused(t, ns, 1, "resume it with 'kubectl rollout resume deployment/ctwoc'", "promote", "ctwoc")

	mustKubectl(t, "rollout", "resume", "-n", ns, "deployment/ctwoc")
	mustShip(t, ns, "promote", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "deployment/ctwoc"); !strings.Contains(hist, "\n2 ") {
		t.Errorf("kubectl rollout history should list the promotion as revision 2:\n%s", hist)
	}

	mustKubectl(t, "rollout", "undo", "-n", ns, "deployment/ctwoc")
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	if st := shipStatus(t, ns, "ctwoc"); st.Strategy != "none" || st.roles() != "stable=ctwoc" {
		t.Errorf("after kubectl rollout undo: %s %s", st.Strategy, st.roles())
	}
}
