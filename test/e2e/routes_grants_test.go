//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// A route in another namespace may send traffic only to the Services a
// ReferenceGrant lets it: a grant for ctwoc alone refuses the canary
// before any write, naming the grant and what to add; once added, the
// canary runs. status shows a Gateway's ResolvedRefs=False/RefNotPermitted.
func TestReferenceGrantsCheckedForShipsServices(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	gateways := namespace(t)
	apply(t, gateways, strings.Replace(httpRoute("xroute", "ctwoc"), "    - name: ctwoc\n", "    - name: ctwoc\n      namespace: "+ns+"\n", 2))
	grant := func(names ...string) string {
		to := ""
		for _, n := range names {
			to += fmt.Sprintf("  - {group: \"\", kind: Service, name: %s}\n", n)
		}
		return `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata:
  name: from-gateways
spec:
  from:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ` + gateways + `}
  to:
` + to
	}
	apply(t, ns, grant("ctwoc"))
	before := routeSpec(t, gateways, "xroute")
	canary := []string{"canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/" + gateways + "/xroute"}
	assertRefused(t, ns, 1, `referencegrant from-gateways in namespace `+ns+` does not let httproute `+gateways+`/xroute send traffic to service ctwoc-canary and ctwoc-stable, which kubectl-ship would write into it: add {group: "", kind: Service, name: ctwoc-canary} and {group: "", kind: Service, name: ctwoc-stable} to its spec.to`,
		canary...)
	if after := routeSpec(t, gateways, "xroute"); after != before {
		t.Errorf("the refused canary changed the route:\n%s", after)
	}

	apply(t, ns, grant("ctwoc", "ctwoc-canary", "ctwoc-stable"))
	mustShip(t, ns, canary...)
	status := `{"status":{"parents":[{"parentRef":{"name":"gw"},"controllerName":"example.com/gateway","conditions":[` +
		`{"type":"Accepted","status":"True","reason":"Accepted","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"},` +
		`{"type":"ResolvedRefs","status":"False","reason":"RefNotPermitted","message":"backendRef ctwoc-canary not permitted","lastTransitionTime":"2026-01-01T00:00:00Z"}]}]}}`
	mustKubectl(t, "patch", "httproute", "xroute", "-n", gateways, "--subresource=status", "--type=merge", "-p", status)
	res := ship(t, ns, "status", "ctwoc")
	if res.code != 1 || !strings.Contains(res.stdout, "gw (accepted, ResolvedRefs=False/RefNotPermitted)") ||
		!strings.Contains(res.stdout, "httproute xroute: gateway gw reports ResolvedRefs=False/RefNotPermitted: backendRef ctwoc-canary not permitted") {
		t.Errorf("status should show the Gateway's ResolvedRefs and call the release degraded (exit %d):\n%s", res.code, res.stdout)
	}
	mustShip(t, ns, "abort", "ctwoc")
	if after := routeSpec(t, gateways, "xroute"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
}
