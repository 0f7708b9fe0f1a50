//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// generation is Deployment name's generation: it moves with every change
// of its spec, a restart of its pods included.
func generation(t *testing.T, ns, name string) int64 {
	t.Helper()
	d, err := apiClient(t).AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Generation
}

// The most common layout: pods labelled app=ctwoc alone, Service ctwoc
// selecting app=ctwoc, an HTTPRoute to ctwoc:80. A canary through the route
// keeps its pods out of the Service (app=ctwoc-canary), so the weights are
// exact, no stable pod restarts and no NAME-stable is needed; the plan says
// so first. Header and cookie rules, a resize, promote and abort work there.
func TestRoutedCanaryOnPodsLabelledOnlyApp(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{appOnly: true})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before := routeSpec(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	gen := generation(t, ns, "ctwoc")

	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--header", "X-Canary=always")
	for _, want := range []string{"weight 5% through httproute/ctwoc, whatever the pods: 1 canary pod beside 3 stable",
		"the canary's pods carry app=ctwoc-canary and track=canary: service ctwoc keeps selecting only the stable pods",
		"nothing of deployment ctwoc changes or restarts", "({{.Canary}} in --analysis)",
		"for httproute/ctwoc kubectl-ship creates service ctwoc-canary; promote and abort delete it"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the plan should say %q:\n%s", want, res.stderr)
		}
	}
	const split = `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":95},{"group":"","kind":"Service","name":"ctwoc-canary","port":80,"weight":5}]`
	if rules := routeRules(t, ns, "ctwoc"); len(rules) != 5 || !strings.Contains(rules[0], `"name":"X-Canary"`) || !strings.Contains(rules[2], split) {
		t.Errorf("route rules:\n%s", strings.Join(rules, "\n"))
	}
	view := releaseView(t, ns)
	if !strings.Contains(view, "service/ctwoc-canary selector=app=ctwoc-canary") || strings.Contains(view, "ctwoc-stable") {
		t.Errorf("ship's Service selects the canary's pods, and no NAME-stable is made:\n%s", view)
	}
	if g := generation(t, ns, "ctwoc"); g != gen {
		t.Errorf("the stable Deployment changed (generation %d, was %d)", g, gen)
	}
	eventually(t, "each Service serves one track", func() (bool, string) {
		s, c := fmt.Sprint(servedImages(t, ns, "ctwoc")), fmt.Sprint(servedImages(t, ns, "ctwoc-canary"))
		return s == "map["+v1+":3]" && c == "map["+v2+":1]", s + " " + c
	})
	if st := shipStatus(t, ns, "ctwoc"); len(st.Routes) != 1 || st.Routes[0].CanaryShare == nil || *st.Routes[0].CanaryShare != 5 || st.Phase != "Healthy" {
		t.Errorf("status should show the route's 5%% reaching the canary: %+v", st)
	}

	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "30", "--cookie", "beta")
	if rules := routeRules(t, ns, "ctwoc"); !strings.Contains(rules[0], "beta=always") || !strings.Contains(strings.Join(rules, ""), `"name":"ctwoc","port":80,"weight":70`) {
		t.Errorf("resized with a cookie rule:\n%s", strings.Join(rules, "\n"))
	}
	mustShip(t, ns, "promote", "ctwoc")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after promote the route's spec differs:\n got %s\nwant %s", after, before)
	}
	if view := releaseView(t, ns); !strings.Contains(view, "deployment/ctwoc ") || strings.Contains(view, "ctwoc-canary") || !strings.Contains(view, "images=ctwoc="+v2) {
		t.Errorf("promoted: the stable Deployment runs v2 and ship's objects are gone:\n%s", view)
	}
	if labels := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.template.metadata.labels}"); labels != `{"app":"ctwoc"}` {
		t.Errorf("the promoted pods keep their own labels: %s", labels)
	}
	mustShip(t, ns, "canary", "ctwoc", "--image", v3, "--weight", "10")
	mustShip(t, ns, "abort", "ctwoc")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}

// --steps through a route on the most common layout: each step's weight is
// the route's, the gates see the canary's pods, and the last step promotes.
func TestRoutedProgressionOnPodsLabelledOnlyApp(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{appOnly: true})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before := routeSpec(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--steps", "10,50", "--interval", "1s", "--check-every", "1s")
	for _, want := range []string{"httproute.gateway.networking.k8s.io/ctwoc configured", "deployment.apps/ctwoc promoted"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout should say %q:\n%s", want, res.stdout)
		}
	}
	for _, want := range []string{"progression: 1 10% (1 canary pod) held 1s; 2 50% (2 canary pods) held 1s; then promote",
		"step 1 of 2 (10%): pods: Pass: 1 canary, 3 stable pods healthy"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr should say %q (the gate sees the canary's pods):\n%s", want, res.stderr)
		}
	}
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after the progression the route's spec differs:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}

// Blue-green through a route on the most common layout: blue's pods get the
// color label through an announced rolling update, then the switch moves
// the route's traffic and back, and cleanup --delete ends on blue.
func TestRoutedBlueGreenOnPodsLabelledOnlyApp(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{appOnly: true})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before := routeSpec(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	res := mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	if !strings.Contains(res.stderr, "kubectl-ship.dev/color=blue: its pods restart through a rolling update first") {
		t.Errorf("the restart should be announced:\n%s", res.stderr)
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	const switched = `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":0},{"group":"","kind":"Service","name":"ctwoc-green","port":80,"weight":100}]`
	if rules := routeRules(t, ns, "ctwoc"); !strings.Contains(rules[0], switched) {
		t.Errorf("switched rules:\n%s", strings.Join(rules, "\n"))
	}
	eventually(t, "green's Service serves green", func() (bool, string) {
		got := fmt.Sprint(servedImages(t, ns, "ctwoc-green"))
		return got == "map["+v2+":3]", got
	})
	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("back to blue, the route's spec differs:\n got %s\nwant %s", after, before)
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after cleanup --delete the route's spec differs:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}
