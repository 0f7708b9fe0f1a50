//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// assertAdoptFirst checks that a verb refuses the release made by hand with
// the command that adopts it, changing nothing.
func assertAdoptFirst(t *testing.T, ns, adopt string, verbs ...[]string) {
	t.Helper()
	for _, args := range verbs {
		assertRefused(t, ns, 1, "was made by hand: adopt it first with '"+adopt+"'", args...)
	}
}

// The walkthrough's canary, picked up by hand: list and status see one
// release with its canary; every verb that would change it asks for its
// adoption first; adopted (no pod restarted), it is resized and promoted as
// a canary kubectl-ship made, and 'kubectl rollout undo' still works on the
// stable Deployment.
func TestWalkthroughCanaryAdoptedAndPromoted(t *testing.T) {
	t.Parallel()
	ns := walkthroughRelease(t, walkthroughCanary...)
	list := mustShip(t, ns, "list").stdout
	if rows := strings.Split(strings.TrimSpace(list), "\n"); len(rows) != 2 || !strings.Contains(rows[1], "canary") || !strings.Contains(rows[1], "25.0%") {
		t.Errorf("list should show one canary release at 25%%:\n%s", list)
	}
	st := shipStatus(t, ns, "ctwoc")
	if st.roles() != "stable=ctwoc canary=ctwoc-canary(made by hand)" || st.Services[0].Traffic["canary"] != 25 || st.Services[0].Traffic["stable"] != 75 {
		t.Errorf("status: %s, traffic %v", st.roles(), st.Services[0].Traffic)
	}
	if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "canary (made by hand)") || !strings.Contains(text, "kubectl ship adopt ctwoc --canary ctwoc-canary") {
		t.Errorf("status should mark the canary made by hand and say how to adopt it:\n%s", text)
	}
	assertRefused(t, ns, 3, "deployment ctwoc-canary looks like the canary of release ctwoc, made by hand: name the release, ctwoc", "status", "ctwoc-canary")
	assertAdoptFirst(t, ns, "kubectl ship adopt ctwoc --canary ctwoc-canary",
		[]string{"promote", "ctwoc"}, []string{"abort", "ctwoc"}, []string{"canary", "ctwoc", "--image", v2, "--weight", "50"},
		[]string{"scale", "ctwoc", "--replicas", "6"}, []string{"promote", "ctwoc", "--dry-run=client"})

	adoptKeepingPods(t, ns, "ctwoc-canary", "annotations kubectl-ship.dev/adopted=true, kubectl-ship.dev/weight=25;")
	if got := shipStatus(t, ns, "ctwoc").roles(); got != "stable=ctwoc canary=ctwoc-canary(adopted)" {
		t.Errorf("adopted: %s", got)
	}
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "50")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 3})

	res := mustShip(t, ns, "promote", "ctwoc")
	if res.stdout != "deployment.apps/ctwoc promoted\ndeployment.apps/ctwoc-canary deleted\n" ||
		!strings.Contains(res.stderr, "deployment ctwoc's selector holds the stable pods' version=1.0.0") {
		t.Errorf("promote:\n%s%s", res.stdout, res.stderr)
	}
	// The stable selector holds track and version; the Service selects app.
	if got := podTemplate(t, ns, "ctwoc"); got != "app=ctwoc,track=stable,version=1.0.0 "+v2 {
		t.Errorf("promoted stable pods: %s", got)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if st := shipStatus(t, ns, "ctwoc"); st.Strategy != "none" || st.roles() != "stable=ctwoc" {
		t.Errorf("after promote: %s %s", st.Strategy, st.roles())
	}
	history := mustShip(t, ns, "history", "ctwoc").stdout
	for _, want := range []string{"kubectl ship adopt ctwoc", "deployment.apps/ctwoc-canary adopted", "kubectl ship promote ctwoc"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	mustKubectl(t, "rollout", "undo", "-n", ns, "deployment/ctwoc")
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
}

// Adopted, the walkthrough's canary is aborted as one ship made: it goes,
// and the stable Deployment and its pods are untouched.
func TestWalkthroughCanaryAdoptedAndAborted(t *testing.T) {
	t.Parallel()
	ns := walkthroughRelease(t, walkthroughCanary...)
	stablePods := func() string {
		var out []string
		for _, p := range strings.Fields(podNames(t, ns)) {
			if !strings.HasPrefix(p, "ctwoc-canary-") {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	before, template := stablePods(), podTemplate(t, ns, "ctwoc")
	mustShip(t, ns, "adopt", "ctwoc")
	if res := mustShip(t, ns, "abort", "ctwoc"); res.stdout != "deployment.apps/ctwoc-canary deleted\n" {
		t.Errorf("abort:\n%s%s", res.stdout, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	if after := stablePods(); after != before || podTemplate(t, ns, "ctwoc") != template {
		t.Errorf("abort touched the stable pods: before %s, after %s", before, after)
	}
}
