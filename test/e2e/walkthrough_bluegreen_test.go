//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// sharesOnlyApp is a Deployment of the walkthrough's application that the
// Service (app: ctwoc, version: 1.0.0) does not route to.
const sharesOnlyApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ctwoc-worker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ctwoc
      role: worker
  template:
    metadata:
      labels:
        app: ctwoc
        role: worker
    spec:
      containers:
      - name: worker
        image: example/ctwoc-worker:1.0.0
`

// servingOf names the Deployment status says serves, and whether the others
// are idle: "green=ctwoc-green".
func servingOf(st releaseStatus) string {
	for _, d := range st.Deployments {
		if d.Serving != nil && *d.Serving {
			return d.Role + "=" + d.Name
		}
	}
	return "none"
}

// The walkthrough's blue-green release: recognised with blue serving and
// after the walkthrough switched its Service to green by hand; adopted with
// no pod restarted, it is switched back and forth and ended as one
// kubectl-ship made.
func TestWalkthroughBlueGreenAdoptedAndSwitched(t *testing.T) {
	t.Parallel()
	ns := walkthroughRelease(t, walkthroughBlueGreen...)
	st := shipStatus(t, ns, "ctwoc")
	if st.Strategy != "blue-green" || st.roles() != "blue=ctwoc green=ctwoc-green(made by hand)" || servingOf(st) != "blue=ctwoc" {
		t.Errorf("status: %s %s, serving %s", st.Strategy, st.roles(), servingOf(st))
	}
	assertAdoptFirst(t, ns, "kubectl ship adopt ctwoc --green ctwoc-green",
		[]string{"bluegreen-switch", "ctwoc"}, []string{"bluegreen", "cleanup", "ctwoc"}, []string{"bluegreen", "ctwoc", "--image", v3})

	// The walkthrough switches by applying the Service's other manifest.
	apply(t, ns, walkthroughManifest(t, "services/ctwoc-green.yaml"))
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	list := mustShip(t, ns, "list").stdout
	if rows := strings.Split(strings.TrimSpace(list), "\n"); len(rows) != 2 || !strings.Contains(rows[1], "blue-green") || !strings.Contains(rows[1], v2+" (green)") {
		t.Errorf("list should show one blue-green release, green serving:\n%s", list)
	}
	if st := shipStatus(t, ns, "ctwoc"); servingOf(st) != "green=ctwoc-green" || st.Services[0].Traffic["green"] != 100 {
		t.Errorf("switched by hand: serving %s, traffic %v", servingOf(st), st.Services[0].Traffic)
	}

	adoptKeepingPods(t, ns, "ctwoc-green", "annotations kubectl-ship.dev/adopted=true, kubectl-ship.dev/color-key=version, kubectl-ship.dev/new-color=green;")
	for _, step := range []struct {
		args   []string
		line   string
		served map[string]int
	}{
		{[]string{"bluegreen-switch", "ctwoc", "--to", "blue"}, "service/ctwoc switched to blue\n", map[string]int{v1: 3}},
		{[]string{"bluegreen-switch", "ctwoc"}, "service/ctwoc switched to green\n", map[string]int{v2: 3}},
		{[]string{"bluegreen-switch", "ctwoc"}, "", map[string]int{v2: 3}},
		{[]string{"bluegreen", "cleanup", "ctwoc"}, "deployment.apps/ctwoc scaled\n", map[string]int{v2: 3}},
	} {
		if res := mustShip(t, ns, step.args...); res.stdout != step.line {
			t.Errorf("kubectl ship %s:\n%s%s", strings.Join(step.args, " "), res.stdout, res.stderr)
		}
		eventuallyServed(t, ns, "ctwoc", step.served)
	}
	if st := shipStatus(t, ns, "ctwoc"); st.roles() != "blue=ctwoc green=ctwoc-green(adopted)" || servingOf(st) != "green=ctwoc-green" {
		t.Errorf("adopted: %s, serving %s", st.roles(), servingOf(st))
	}

	// Ended while green serves, the release goes back to blue's Deployment,
	// whose selector holds version: 1.0.0.
	res := mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
	if !strings.Contains(res.stderr, "deployment ctwoc's selector holds version=1.0.0, which cannot change") ||
		!strings.HasSuffix(res.stdout, "deployment.apps/ctwoc-green deleted\n") {
		t.Errorf("cleanup --delete:\n%s%s", res.stdout, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if got := podTemplate(t, ns, "ctwoc"); got != "app=ctwoc,track=stable,version=1.0.0 "+v2 {
		t.Errorf("blue after the hand-back: %s", got)
	}
	if _, err := apiClient(t).AppsV1().Deployments(ns).Get(context.Background(), "ctwoc-green", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ctwoc-green should be gone: %v", err)
	}
}

// Several Deployments could be the canary: a clear error names them and the
// flag; named, one is adopted and the other's pods count as other. A
// Deployment that only shares the app label, whose pods no Service of the
// release selects, is no canary.
func TestWalkthroughCandidates(t *testing.T) {
	t.Parallel()
	t.Run("two canaries", func(t *testing.T) {
		ns := walkthroughRelease(t, "deployments/ctwoc.yaml", "services/ctwoc.yaml")
		canary := walkthroughManifest(t, "deployments/ctwoc-canary.yaml")
		apply(t, ns, strings.ReplaceAll(canary, "name: ctwoc-canary", "name: ctwoc-a")+"---\n"+strings.ReplaceAll(canary, "name: ctwoc-canary", "name: ctwoc-b"))
		eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 2})
		ambiguous := "deployments ctwoc-a, ctwoc-b could each be the canary of release ctwoc (its services select their pods): name one with --canary, as in 'kubectl ship adopt ctwoc --canary ctwoc-a'"
		// status has an exit code of its own for it, and list says so.
		for args, code := range map[string]int{"status ctwoc": 6, "promote ctwoc": 1, "adopt ctwoc": 1} {
			assertRefused(t, ns, code, ambiguous, strings.Fields(args)...)
		}
		if list := mustShip(t, ns, "list").stdout; !strings.Contains(list, "Ambiguous") {
			t.Errorf("list should show the release as ambiguous:\n%s", list)
		}
		if st := shipStatus(t, ns, "ctwoc", "--canary", "ctwoc-b"); st.roles() != "stable=ctwoc canary=ctwoc-b(made by hand)" {
			t.Errorf("status --canary ctwoc-b: %s", st.roles())
		}
		mustShip(t, ns, "adopt", "ctwoc", "--canary", "ctwoc-b")
		st := shipStatus(t, ns, "ctwoc")
		if st.roles() != "stable=ctwoc canary=ctwoc-b(adopted)" || st.Services[0].Traffic["other"] != 20 || st.Services[0].Traffic["canary"] != 20 {
			t.Errorf("adopted ctwoc-b: %s, traffic %v", st.roles(), st.Services[0].Traffic)
		}
	})
	t.Run("a deployment sharing only the app label", func(t *testing.T) {
		ns := walkthroughRelease(t, "deployments/ctwoc.yaml", "services/ctwoc-blue.yaml")
		apply(t, ns, sharesOnlyApp)
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc-worker", "--timeout=60s")
		if st := shipStatus(t, ns, "ctwoc"); st.Strategy != "none" || st.roles() != "stable=ctwoc" {
			t.Errorf("status: %s %s", st.Strategy, st.roles())
		}
		list := mustShip(t, ns, "list", "-o", "name").stdout
		if list != "releasestatus.kubectl-ship.dev/ctwoc\nreleasestatus.kubectl-ship.dev/ctwoc-worker\n" {
			t.Errorf("list should show both, neither the other's canary:\n%s", list)
		}
		assertRefused(t, ns, 1, "release ctwoc has no canary or green made by hand to adopt", "adopt", "ctwoc")
	})
}
