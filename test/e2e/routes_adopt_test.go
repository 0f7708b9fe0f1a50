//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// versionLayout is a canary made by hand in the version-label layout:
// ctwoc (version: 1.0.0, three pods) and ctwoc-v2 (version: 2.0.0, one pod),
// each selecting its own version, behind Service ctwoc selecting app=ctwoc.
func versionLayout(name, version string, replicas int) string {
	return strings.NewReplacer("metadata:\n  name: ctwoc\n", "metadata:\n  name: "+name+"\n", "track: stable", "version: "+version,
		"image: "+v1, "image: example/ctwoc:"+version, "replicas: 3", "replicas: "+string(rune('0'+replicas))).
		Replace(strings.Replace(deployment("ctwoc", v1, 3), "      app: ctwoc\n  template", "      app: ctwoc\n      track: stable\n  template", 1))
}

// A canary made by hand, adopted, then run through an HTTPRoute: its pods
// keep their labels, ship's Services select each version, the weight is
// the route's; promote puts the route back.
func TestAdoptedCanaryThroughARoute(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, versionLayout("ctwoc", "1.0.0", 3)+"---\n"+versionLayout("ctwoc-v2", "2.0.0", 1)+"---\n"+service("ctwoc", "ctwoc")+"---\n"+httpRoute("ctwoc", "ctwoc"))
	for _, d := range []string{"ctwoc", "ctwoc-v2"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=60s")
	}
	before := routeSpec(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	mustShip(t, ns, "adopt", "ctwoc")
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "10")
	const split = `[{"group":"","kind":"Service","name":"ctwoc-stable","port":80,"weight":90},{"group":"","kind":"Service","name":"ctwoc-canary","port":80,"weight":10}]`
	if rules := routeRules(t, ns, "ctwoc"); !strings.Contains(rules[0], split) {
		t.Errorf("route rules:\n%s", strings.Join(rules, "\n"))
	}
	view := releaseView(t, ns)
	for _, want := range []string{"service/ctwoc-canary selector=app=ctwoc,version=2.0.0", "service/ctwoc-stable selector=app=ctwoc,version=1.0.0"} {
		if !strings.Contains(view, want) {
			t.Errorf("ship's Services should select each version (%s):\n%s", want, view)
		}
	}
	mustShip(t, ns, "promote", "ctwoc")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after promote the route's spec differs:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}

// A green made by hand with one pod while blue serves with three: adopt and
// the switch say so first.
func TestAdoptedGreenWithFewerPodsIsWarned(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, walkthroughManifest(t, "deployments/ctwoc.yaml", "services/ctwoc-blue.yaml")+"---\n"+
		strings.Replace(walkthroughManifest(t, "deployments/ctwoc-green.yaml"), "replicas: 3", "replicas: 1", 1))
	for _, d := range []string{"ctwoc", "ctwoc-green"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=60s")
	}
	const warning = "warning: green (deployment ctwoc-green) runs 1 pod, and blue serves with 3: after the switch, what 3 pods serve goes to 1"
	if res := mustShip(t, ns, "adopt", "ctwoc", "--green", "ctwoc-green"); !strings.Contains(res.stderr, warning) {
		t.Errorf("adopt should warn:\n%s", res.stderr)
	}
	if res := mustShip(t, ns, "bluegreen-switch", "ctwoc"); !strings.Contains(res.stderr, warning) {
		t.Errorf("the switch should warn:\n%s", res.stderr)
	}
}

// The advice fits the case: a Deployment whose selector holds track: stable
// already is not told to add it.
func TestCanaryAdviceFitsTheSelector(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, strings.Replace(deployment("ctwoc", v1, 3), "      app: ctwoc\n  template", "      app: ctwoc\n      track: stable\n  template", 1)+
		"---\n"+strings.Replace(service("ctwoc", "ctwoc"), "    app: ctwoc\n", "    app: ctwoc\n    track: stable\n", 1))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	assertRefused(t, ns, 1, "service ctwoc selects on every label of deployment ctwoc's selector (app=ctwoc,track=stable), so the pods of a canary would be either left out by the Service or taken by the Deployment: run the canary through a route",
		"canary", "ctwoc", "--image", v2, "--weight", "25")
}
