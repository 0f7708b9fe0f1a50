//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// statusOf runs status, which may exit 1 (degraded), and returns its text
// and exit code.
func statusOf(t *testing.T, ns string) (string, int) {
	t.Helper()
	res := ship(t, ns, "status", "ctwoc")
	return res.stdout, res.code
}

// Someone deletes ship's Services while a canary runs through a route: the
// route then sends part of its traffic nowhere. status and list find the
// route naming them and call the release degraded; abort puts the route
// back from the release's record, whatever of ship's objects is left.
func TestAbortPutsTheRouteBackWhateverIsMissing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		deleted []string
		// listed: list finds the route too (it reads what the canary or a
		// Service of ship's records; status also reads the release's record).
		listed bool
	}{
		{"the canary's service", []string{"service/ctwoc-canary"}, true},
		{"both services", []string{"service/ctwoc-canary", "service/ctwoc-stable"}, true},
		{"both services and the canary", []string{"service/ctwoc-canary", "service/ctwoc-stable", "deployment/ctwoc-canary"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := seedRelease(t, seed{})
			apply(t, ns, httpRoute("ctwoc", "ctwoc"))
			before := routeSpec(t, ns, "ctwoc")
			mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "10")
			mustKubectl(t, append([]string{"delete", "-n", ns, "--wait=true"}, tc.deleted...)...)

			text, code := statusOf(t, ns)
			if code != 1 || !strings.Contains(text, "Degraded") || !strings.Contains(text, "httproute ctwoc sends traffic to service ctwoc-canary, which does not exist: those requests fail") ||
				!strings.Contains(text, "ctwoc-canary (canary) 10% (no such service)") {
				t.Errorf("status should find the route and call the release degraded (exit %d):\n%s", code, text)
			}
			if list := mustShip(t, ns, "list").stdout; tc.listed && !strings.Contains(list, "Degraded") {
				t.Errorf("list should say degraded:\n%s", list)
			}
			res := mustShip(t, ns, "abort", "ctwoc")
			if !strings.Contains(res.stdout, "httproute.gateway.networking.k8s.io/ctwoc configured") {
				t.Errorf("abort should put the route back:\n%s%s", res.stdout, res.stderr)
			}
			if after := routeSpec(t, ns, "ctwoc"); after != before {
				t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
			}
			if view := releaseView(t, ns); strings.Contains(view, "ctwoc-canary") || strings.Contains(view, "ctwoc-stable") {
				t.Errorf("abort should leave none of ship's objects:\n%s", view)
			}
			if text, code := statusOf(t, ns); code != 0 || strings.Contains(text, "does not exist") {
				t.Errorf("after abort the release is healthy (exit %d):\n%s", code, text)
			}
			if res := mustShip(t, ns, "abort", "ctwoc"); !strings.Contains(res.stderr, "nothing to abort") {
				t.Errorf("a second abort has nothing to do:\n%s", res.stderr)
			}
		})
	}
}

// promote with the canary's Service gone puts the route back first, before
// the stable Deployment rolls, and ends as an uninterrupted promote does.
func TestPromotePutsTheRouteBackFirstWhenAServiceIsGone(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before := routeSpec(t, ns, "ctwoc")
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "10")
	mustKubectl(t, "delete", "-n", ns, "service/ctwoc-canary", "--wait=true")
	res := mustShip(t, ns, "promote", "ctwoc")
	route := strings.Index(res.stdout, "httproute.gateway.networking.k8s.io/ctwoc configured")
	if promoted := strings.Index(res.stdout, "deployment.apps/ctwoc promoted"); route < 0 || promoted < route {
		t.Errorf("the route should go back before the stable Deployment rolls:\n%s", res.stdout)
	}
	if !strings.Contains(res.stderr, "httproute ctwoc sends traffic to service ctwoc-canary, which no longer exists: the route goes back first") {
		t.Errorf("promote should say why:\n%s", res.stderr)
	}
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after promote the route's spec differs:\n got %s\nwant %s", after, before)
	}
	if view := releaseView(t, ns); strings.Contains(view, "ctwoc-canary") || strings.Contains(view, "ctwoc-stable") || !strings.Contains(view, "images=ctwoc="+v2) {
		t.Errorf("promoted, with none of ship's objects left:\n%s", view)
	}
}

// The route a canary runs through, deleted: status and list say so and
// what abort does; a backend without ready endpoints is a warning too.
func TestStatusSaysWhenTheRouteSendsTrafficNowhere(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "20")

	mustKubectl(t, "scale", "-n", ns, "deployment/ctwoc-canary", "--replicas=0")
	eventually(t, "the canary's Service has no ready endpoint", func() (bool, string) {
		text, _ := statusOf(t, ns)
		return strings.Contains(text, "httproute ctwoc sends traffic to service ctwoc-canary, which has no ready endpoints"), text
	})
	mustKubectl(t, "scale", "-n", ns, "deployment/ctwoc-canary", "--replicas=1")

	mustKubectl(t, "delete", "-n", ns, "httproute/ctwoc", "--wait=true")
	text, code := statusOf(t, ns)
	if code != 1 || !strings.Contains(text, "httproute/ctwoc (drives the release)") || !strings.Contains(text, "not found") ||
		!strings.Contains(text, "httproute/ctwoc, which release ctwoc runs through, no longer exists, so no traffic reaches the canary through it: 'kubectl ship abort ctwoc' deletes ship's Services and the canary") {
		t.Errorf("status should say the route is gone and what abort does (exit %d):\n%s", code, text)
	}
	if list := mustShip(t, ns, "list").stdout; !strings.Contains(list, "Degraded") || !strings.Contains(list, "- (route gone)") {
		t.Errorf("list should say the route is gone:\n%s", list)
	}
	mustShip(t, ns, "abort", "ctwoc")
	if view := releaseView(t, ns); strings.Contains(view, "ctwoc-canary") || strings.Contains(view, "ctwoc-stable") {
		t.Errorf("abort should leave none of ship's objects:\n%s", view)
	}
	if text, code := statusOf(t, ns); code != 0 {
		t.Errorf("after abort the release is healthy (exit %d):\n%s", code, text)
	}
}

// Two routes send traffic to one Service: the canary through one says
// first what reaches it through the other, and status shows each route's
// share that reaches the canary.
func TestTwoRoutesToOneService(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc")+"---\n"+httpRoute("admin", "ctwoc"))
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/ctwoc")
	if !strings.Contains(res.stderr, "warning: httproute admin also sends traffic to service ctwoc, which kubectl-ship leaves as it is: through it the canary gets its share of the pods (1 of 4, 25.0%), whatever the weight") {
		t.Errorf("the canary should say what reaches it through the other route:\n%s", res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})
	st := shipStatus(t, ns, "ctwoc")
	shares := map[string]float64{}
	for _, r := range st.Routes {
		if r.CanaryShare != nil {
			shares[r.Name] = *r.CanaryShare
		}
	}
	if shares["ctwoc"] != 5 || shares["admin"] != 25 {
		t.Errorf("each route's share that reaches the canary: %v", shares)
	}
	text := mustShip(t, ns, "status", "ctwoc").stdout
	if !strings.Contains(text, "httproute admin sends traffic to the release outside the weight of the route it runs through: 25% of its requests reach the canary") {
		t.Errorf("status should warn of the other route:\n%s", text)
	}
}
