//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// routeRules decodes an HTTPRoute's rules as JSON, for comparing.
func routeRules(t *testing.T, ns, name string) []string {
	t.Helper()
	var spec struct{ Rules []json.RawMessage }
	if err := json.Unmarshal([]byte(routeSpec(t, ns, name)), &spec); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(spec.Rules))
	for i, r := range spec.Rules {
		out[i] = string(r)
	}
	return out
}

// An HTTPRoute carries the canary's weight exactly: 95/5 on ship's Services
// of each track, the header rules first, the route's own rules otherwise as
// they were; promote and abort put the spec back byte for byte.
func TestCanaryThroughAnHTTPRoute(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before, rulesBefore := routeSpec(t, ns, "ctwoc"), routeRules(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")

	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--header", "X-Canary=always")
	for _, want := range []string{"weight 5% through httproute/ctwoc, whatever the pods: 1 canary pod beside 3 stable", "no gateway has accepted it",
		"for httproute/ctwoc kubectl-ship creates service ctwoc-canary and service ctwoc-stable; promote and abort delete them"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the plan should say %q:\n%s", want, res.stderr)
		}
	}
	rules := routeRules(t, ns, "ctwoc")
	const canaryRef = `{"group":"","kind":"Service","name":"ctwoc-canary","port":80,"weight":1}`
	const split = `[{"group":"","kind":"Service","name":"ctwoc-stable","port":80,"weight":95},{"group":"","kind":"Service","name":"ctwoc-canary","port":80,"weight":5}]`
	want := []string{
		`{"backendRefs":[` + canaryRef + `],"matches":[{"headers":[{"name":"X-Canary","type":"Exact","value":"always"}],"path":{"type":"PathPrefix","value":"/"}}]}`,
		`{"backendRefs":[` + canaryRef + `],"filters":[{"requestHeaderModifier":{"set":[{"name":"X-Api","value":"1"}]},"type":"RequestHeaderModifier"}],"matches":[{"headers":[{"name":"X-Canary","type":"Exact","value":"always"}],"method":"GET","path":{"type":"PathPrefix","value":"/api"}}]}`,
		strings.Replace(rulesBefore[0], `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":1}]`, split, 1),
		strings.Replace(rulesBefore[1], `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":1}]`, split, 1),
		rulesBefore[2],
	}
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Errorf("route rules:\n got %s\nwant %s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
	if got := releaseView(t, ns); !strings.Contains(got, "service/ctwoc-canary selector=app=ctwoc,track=canary") ||
		!strings.Contains(got, "service/ctwoc-stable selector=app=ctwoc,track=stable") {
		t.Errorf("ship's Services:\n%s", got)
	}
	eventually(t, "ship's Services serve", func() (bool, string) {
		c, s := fmt.Sprint(servedImages(t, ns, "ctwoc-canary")), fmt.Sprint(servedImages(t, ns, "ctwoc-stable"))
		return c == "map["+v2+":1]" && s == "map["+v1+":3]", c + " " + s
	})

	// status: the route, its rules and weights, and the warning until a
	// gateway accepts it; list: the route's weight.
	text := mustShip(t, ns, "status", "ctwoc").stdout
	for _, want := range []string{"httproute/ctwoc (drives the release)", "gw (not accepted)", "PathPrefix /, header X-Canary=always",
		"ctwoc-stable (stable) 95%, ctwoc-canary (canary) 5%", "httproute ctwoc: the route says 5% but no gateway has accepted it"} {
		if !strings.Contains(text, want) {
			t.Errorf("status should show %q:\n%s", want, text)
		}
	}
	acceptRoute(t, ns, "ctwoc")
	if text := mustShip(t, ns, "status", "ctwoc").stdout; strings.Contains(text, "no gateway has accepted") || !strings.Contains(text, "gw (accepted)") {
		t.Errorf("once accepted, no warning:\n%s", text)
	}
	var st struct {
		Routes []struct {
			Kind         string   `json:"kind"`
			Drives       bool     `json:"drives"`
			CanaryWeight *float64 `json:"canaryWeight"`
		} `json:"routes"`
	}
	if err := json.Unmarshal([]byte(mustShip(t, ns, "status", "ctwoc", "-o", "json").stdout), &st); err != nil || len(st.Routes) != 1 ||
		!st.Routes[0].Drives || st.Routes[0].CanaryWeight == nil || *st.Routes[0].CanaryWeight != 5 {
		t.Errorf("status -o json should carry the route and its weight: %+v %v", st, err)
	}
	if list := mustShip(t, ns, "list").stdout; !strings.Contains(list, "5% (route)") {
		t.Errorf("list should show the route's weight:\n%s", list)
	}

	// Resized, then promoted: the spec is back byte for byte.
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "30")
	if rules := routeRules(t, ns, "ctwoc"); len(rules) != 3 || !strings.Contains(rules[0], `"name":"ctwoc-stable","port":80,"weight":70`) {
		t.Errorf("resized to 30%% without the header: %v", rules)
	}
	mustShip(t, ns, "promote", "ctwoc")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after promote the route's spec differs:\n got %s\nwant %s", after, before)
	}
	if got := releaseView(t, ns); strings.Contains(got, "ctwoc-canary") || strings.Contains(got, "ctwoc-stable") {
		t.Errorf("promote should remove ship's Services and the canary:\n%s", got)
	}
	// And abort, from a dark launch behind a cookie.
	mustShip(t, ns, "canary", "ctwoc", "--image", v3, "--weight", "0", "--cookie", "beta")
	if rules := routeRules(t, ns, "ctwoc"); len(rules) != 5 || !strings.Contains(rules[0], `"name":"Cookie","type":"RegularExpression","value":"(^|;\\s*)beta=always(;|$)"`) {
		t.Errorf("cookie rules: %v", rules)
	}
	mustShip(t, ns, "abort", "ctwoc")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}

// The route to drive must be clear: a second route to the Service makes
// ship ask for --route; one in another namespace, let in by a
// ReferenceGrant, is only driven when named.
func TestHTTPRouteMustBeNamedWhenUnclear(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc")+"---\n"+httpRoute("ctwoc-admin", "ctwoc"))
	assertRefused(t, ns, 1, "httproutes ctwoc, ctwoc-admin send traffic to service ctwoc: name the one to drive with --route httproute/NAME",
		"canary", "ctwoc", "--image", v2, "--weight", "5")
	admin := routeSpec(t, ns, "ctwoc-admin")
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/ctwoc")
	if routeSpec(t, ns, "ctwoc-admin") != admin {
		t.Error("the route not named should not change")
	}
	mustShip(t, ns, "abort", "ctwoc")

	other := seedRelease(t, seed{})
	gateways := namespace(t)
	apply(t, gateways, strings.Replace(httpRoute("shop", "ctwoc"), "    - name: ctwoc\n", "    - name: ctwoc\n      namespace: "+other+"\n", 2))
	apply(t, other, `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata:
  name: from-gateways
spec:
  from:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: `+gateways+`}
  to:
  - {group: "", kind: Service}
`)
	before := routeSpec(t, gateways, "shop")
	assertRefused(t, other, 1, "a ReferenceGrant lets the HTTPRoutes of namespace "+gateways+" send traffic to service ctwoc, and kubectl-ship drives a route of another namespace only when named",
		"canary", "ctwoc", "--image", v2, "--weight", "5")
	mustShip(t, other, "canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/"+gateways+"/shop")
	if rules := routeRules(t, gateways, "shop"); !strings.Contains(rules[0], `"name":"ctwoc-canary","namespace":"`+other+`","port":80,"weight":5`) {
		t.Errorf("the route of the other namespace should send 5%% to ctwoc-canary in %s: %v", other, rules)
	}
	mustShip(t, other, "abort", "ctwoc")
	if after := routeSpec(t, gateways, "shop"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
}

// Without the Gateway API in the cluster a canary takes its share of the
// pods as before, and naming an HTTPRoute is one clear error.
func TestCanaryWithoutTheGatewayAPI(t *testing.T) {
	ns := seedRelease(t, seed{})
	withoutGatewayAPI(t)
	before := releaseView(t, ns)
	res := ship(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/ctwoc")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "error: --route httproute/ctwoc: this cluster does not serve HTTPRoutes (gateway.networking.k8s.io/v1 httproutes)") {
		t.Errorf("want one clear error line; got exit %d:\n%s", res.code, res.stderr)
	}
	if after := releaseView(t, ns); after != before {
		t.Errorf("the refused command changed the release:\n%s", after)
	}
	res = mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	if !strings.Contains(res.stderr, "weight 25.0%: 1 canary pod beside 3 stable") || strings.Contains(res.stderr, "error") {
		t.Errorf("a plain canary should work as before:\n%s", res.stderr)
	}
	mustShip(t, ns, "status", "ctwoc")
	mustShip(t, ns, "promote", "ctwoc")
}
