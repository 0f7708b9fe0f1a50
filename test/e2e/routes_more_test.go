//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// userIngress is an Ingress for ingress-nginx with TLS, two hosts and a
// path to another Service; trackService is a Service selecting only the
// stable pods (app=ctwoc, track=stable), as an ingress canary needs.
const (
	userIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ctwoc
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  tls:
  - hosts: [ctwoc.example]
    secretName: ctwoc-tls
  rules:
  - host: ctwoc.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ctwoc, port: {number: 80}}}}
      - {path: /other, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}
  - host: other.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}
`
	trackService = `apiVersion: v1
kind: Service
metadata:
  name: ctwoc
spec:
  selector: {app: ctwoc, track: stable}
  ports:
  - port: 80
`
)

// ingress-nginx: the canary Ingress is the user's with only the path to
// the release's Service, re-pointed, its TLS and class kept and the canary
// annotations; the user's Ingress is never written.
func TestCanaryThroughIngressNginx(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, trackService+"---\n"+userIngress)
	before := objectJSON(t, ingressResource, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "10", "--route", "ingress/ctwoc", "--header", "X-Canary~^(yes|1)$", "--cookie", "beta")
	wantSpec := `{"ingressClassName":"nginx","rules":[{"host":"ctwoc.example","http":{"paths":[{"backend":{"service":{"name":"ctwoc-canary","port":{"number":80}}},"path":"/","pathType":"Prefix"}]}}],"tls":[{"hosts":["ctwoc.example"],"secretName":"ctwoc-tls"}]}`
	if got := objectJSON(t, ingressResource, ns, "ctwoc-canary", "spec"); got != wantSpec {
		t.Errorf("canary Ingress spec:\n got %s\nwant %s", got, wantSpec)
	}
	wantAnnotations := `{"nginx.ingress.kubernetes.io/canary":"true","nginx.ingress.kubernetes.io/canary-by-cookie":"beta","nginx.ingress.kubernetes.io/canary-by-header":"X-Canary","nginx.ingress.kubernetes.io/canary-by-header-pattern":"^(yes|1)$","nginx.ingress.kubernetes.io/canary-weight":"10"}`
	if got := objectJSON(t, ingressResource, ns, "ctwoc-canary", "metadata", "annotations"); got != wantAnnotations {
		t.Errorf("canary Ingress annotations:\n got %s\nwant %s", got, wantAnnotations)
	}
	if got := objectJSON(t, ingressResource, ns, "ctwoc-canary", "metadata", "labels"); got != `{"kubectl-ship.dev/release":"ctwoc","kubectl-ship.dev/role":"canary"}` {
		t.Errorf("canary Ingress labels: %s", got)
	}
	// Not even a new resourceVersion: the user's Ingress was never written.
	if after := objectJSON(t, ingressResource, ns, "ctwoc"); after != before {
		t.Errorf("the user's Ingress changed:\n got %s\nwant %s", after, before)
	}
	if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "ingress/ctwoc (drives the release)") || !strings.Contains(text, "ctwoc-canary (canary) 10%") {
		t.Errorf("status should show the ingress canary:\n%s", text)
	}
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "250", "--weight-total", "1000")
	if got := objectJSON(t, ingressResource, ns, "ctwoc-canary", "metadata", "annotations"); !strings.Contains(got, `"nginx.ingress.kubernetes.io/canary-weight":"250","nginx.ingress.kubernetes.io/canary-weight-total":"1000"`) {
		t.Errorf("resized annotations: %s", got)
	}
	if list := mustShip(t, ns, "list").stdout; !strings.Contains(list, "25% (route)") {
		t.Errorf("list should show the route's weight:\n%s", list)
	}
	mustShip(t, ns, "promote", "ctwoc")
	if got := objectJSON(t, ingressResource, ns, "ctwoc-canary"); got != "<none>" {
		t.Errorf("promote should delete the canary Ingress: %s", got)
	}
	if after := objectJSON(t, ingressResource, ns, "ctwoc"); after != before {
		t.Errorf("the user's Ingress changed:\n got %s\nwant %s", after, before)
	}
	watcher.assertAlwaysServed(t)
}

// Blue-green through an HTTPRoute: the switch moves the route's weight
// 0/100 between the Service (blue) and ship's NAME-green, switching back
// puts the route back exactly, and cleanup --delete ends on blue.
func TestBlueGreenThroughAnHTTPRoute(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{versioned: true})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	before, rulesBefore := routeSpec(t, ns, "ctwoc"), routeRules(t, ns, "ctwoc")
	watcher := watchRouteBackends(t, ns, "ctwoc")
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	if routeSpec(t, ns, "ctwoc") != before {
		t.Error("bluegreen moves no traffic, so the route should not change")
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	const switched = `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":0},{"group":"","kind":"Service","name":"ctwoc-green","port":80,"weight":100}]`
	rules := routeRules(t, ns, "ctwoc")
	if len(rules) != 3 || rules[0] != strings.Replace(rulesBefore[0], `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":1}]`, switched, 1) || rules[2] != rulesBefore[2] {
		t.Errorf("switched rules:\n%s", strings.Join(rules, "\n"))
	}
	if got := releaseView(t, ns); !strings.Contains(got, "service/ctwoc-green selector=app=ctwoc,version=2.0.0") || !strings.Contains(got, "service/ctwoc selector=app=ctwoc,version=1.0.0") {
		t.Errorf("green's Service, and blue's for the clients inside the cluster:\n%s", got)
	}
	for _, d := range shipStatus(t, ns, "ctwoc").Deployments {
		if d.Serving == nil || *d.Serving != (d.Role == "green") {
			t.Errorf("status should say green serves, not %s: %+v", d.Role, d)
		}
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("back to blue, the route's spec differs:\n got %s\nwant %s", after, before)
	}
	mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "green")
	assertRefused(t, ns, 1, "green serves release ctwoc through httproute/ctwoc", "bluegreen", "cleanup", "ctwoc")
	mustShip(t, ns, "bluegreen", "cleanup", "ctwoc", "--delete")
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("after cleanup --delete the route's spec differs:\n got %s\nwant %s", after, before)
	}
	if got := releaseView(t, ns); strings.Contains(got, "ctwoc-green") || !strings.Contains(got, "images=ctwoc="+v2) {
		t.Errorf("the release should end on blue, running green's image:\n%s", got)
	}
	watcher.assertAlwaysServed(t)
}

// Every wrong input about routes is one error line, and changes nothing.
func TestRouteBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("elsewhere", "other"))
	canary := func(args ...string) []string { return append([]string{"canary", "ctwoc", "--image", v2}, args...) }
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"weight over 100", canary("--weight", "150"), "--weight must be between 0 and 100, not 150"},
		{"weight over 100 out of 1000, without a route", canary("--weight", "500", "--weight-total", "1000"), "--weight-total needs a route"},
		{"weight 0 without a route", canary("--weight", "0"), "--weight must be between 1 and 99 percent without a route"},
		{"header without a route", canary("--weight", "10", "--header", "X-Canary=1"), "--header and --cookie need a route, and no HTTPRoute in namespace " + ns + " sends traffic to service ctwoc"},
		{"malformed header", canary("--header", "X-Canary"), `--header: "X-Canary": want NAME=VALUE (exact) or NAME~REGEX`},
		{"malformed header regex", canary("--header", "X~(["), `--header: "([" is not a regular expression`},
		{"unsupported route kind", canary("--route", "grpcroute/ctwoc"), "kind grpcroute is not a route kubectl-ship drives"},
		{"route not referencing the service", canary("--weight", "5", "--route", "httproute/elsewhere"), "httproute elsewhere does not send traffic to service ctwoc of namespace " + ns + " (its backends there: other)"},
		{"missing route", canary("--weight", "5", "--route", "httproute/nope"), "httproute nope not found in namespace " + ns},
		{"missing ingress", canary("--weight", "5", "--route", "ingress/nope"), "ingress nope not found in namespace " + ns},
		{"switch through an ingress", []string{"bluegreen-switch", "ctwoc", "--route", "ingress/ctwoc"}, "a blue-green release switches through an HTTPRoute"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}
}
