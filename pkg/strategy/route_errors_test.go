package strategy

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

func ref(s string) *release.RouteRef {
	r, err := release.ParseRouteRef(s)
	if err != nil {
		panic(err)
	}
	return &r
}

func TestPlanCanaryRouteRefusals(t *testing.T) {
	two := newHTTPRoute("web-2", false, rule("web"))
	mixed := newHTTPRoute("web", true, map[string]any{"backendRefs": []any{
		rule("web")["backendRefs"].([]any)[0], rule("old")["backendRefs"].([]any)[0]}})
	port9090 := rule("web")["backendRefs"].([]any)[0].(map[string]any)
	port9090["port"] = int64(9090)
	twoPorts := newHTTPRoute("web", true, map[string]any{"backendRefs": []any{rule("web")["backendRefs"].([]any)[0], port9090}})
	var many []map[string]any
	for range 9 {
		many = append(many, rule("web"))
	}
	crowded := newHTTPRoute("web", true, many...)
	taken := newHTTPRoute("web", true, rule("web", map[string]any{"headers": []any{map[string]any{"type": "Exact", "name": "x-canary", "value": "1"}}}))
	var sixteen []any
	for i := range 16 {
		sixteen = append(sixteen, map[string]any{"type": "Exact", "name": fmt.Sprintf("x-%d", i), "value": "1"})
	}
	full := newHTTPRoute("web", true, rule("web", map[string]any{"headers": sixteen}))
	var matches []map[string]any
	for i := range 40 {
		matches = append(matches, map[string]any{"path": map[string]any{"type": "PathPrefix", "value": fmt.Sprintf("/%d", i)}})
	}
	wide := newHTTPRoute("web", true, rule("web", matches...))
	weight := func(w int32) CanaryRequest { return CanaryRequest{Images: images("web:2"), Weight: w, WeightSet: true} }
	withHeader := CanaryRequest{Images: images("web:2"), Header: header("X-Canary=1")}
	granted := routed(nil)
	granted.GrantedNamespaces = []string{"gateways"}
	tests := []struct {
		name string
		rel  *release.Release
		req  CanaryRequest
		want string
	}{
		{"two routes", routed(nil, newHTTPRoute("web", true, rule("web")), two), weight(5),
			"httproutes web, web-2 send traffic to service web: name the one to drive with --route httproute/NAME"},
		{"named, missing", routed(nil), CanaryRequest{Images: images("web:2"), Weight: 5, Route: route.Choice{Ref: ref("httproute/nope")}},
			"httproute nope not found in namespace ns"},
		{"named, another service", routed(nil, newHTTPRoute("db", true, rule("db"))), CanaryRequest{Images: images("web:2"), Weight: 5, Route: route.Choice{Ref: ref("httproute/db")}},
			"httproute db does not send traffic to service web of namespace ns (its backends there: db)"},
		{"ingress, missing", routed(nil), CanaryRequest{Images: images("web:2"), Weight: 5, Route: route.Choice{Ref: ref("ingress/web")}},
			"ingress web not found in namespace ns"},
		{"a route of another namespace", granted, weight(5),
			"a ReferenceGrant lets the HTTPRoutes of namespace gateways send traffic to service web, and kubectl-ship drives a route of another namespace only when named: --route httproute/NAMESPACE/NAME"},
		{"a rule with another backend", routed(nil, mixed), weight(5),
			"rule 1 of httproute web sends traffic to service web and to old:80: kubectl-ship only splits rules that send it to service web alone"},
		{"a rule to two ports of the service", routed(nil, twoPorts), weight(5),
			"rule 1 of httproute web sends traffic to service web on ports 80 and 9090: kubectl-ship only splits rules that send it to one port of service web"},
		{"too many rules with the header rules", routed(nil, crowded), withHeader,
			"httproute web would have 18 rules with the canary's header rules, more than the 16 an HTTPRoute may have"},
		{"a header the rule matches already", routed(nil, taken), withHeader,
			"rule 1 of httproute web already matches header x-canary: choose another with --header"},
		{"a match with 16 headers already", routed(nil, full), withHeader,
			"rule 1 of httproute web already matches 16 headers, the most an HTTPRoute match may: the canary's header rule would need one more"},
		{"a rule with too many matches with header and cookie", routed(nil, wide), CanaryRequest{Images: images("web:2"), Header: header("X-Canary=1"), Cookie: "beta"},
			"rule 1 of httproute web would have 80 matches with the canary's header rule, more than the 64 an HTTPRoute rule may have"},
		{"no weight", routed(nil, newHTTPRoute("web", true, rule("web"))), CanaryRequest{Images: images("web:2")},
			"--weight: give the canary's share of httproute/web's traffic, from 0 to 100 (or --route none for its share of the pods)"},
		{"weight over the total", routed(nil, newHTTPRoute("web", true, rule("web"))), CanaryRequest{Images: images("web:2"), Weight: 150, WeightSet: true},
			"--weight 150 is more than the total of 100"},
		{"header without a route", routed(nil), withHeader,
			"--header and --cookie need a route, and no HTTPRoute in namespace ns sends traffic to service web"},
		{"weight total without a route", routed(nil), CanaryRequest{Images: images("web:2"), Weight: 500, WeightSet: true, WeightTotal: 1000},
			"--weight-total needs a route"},
		{"weight 0 without a route", routed(nil), weight(0), "--weight must be between 1 and 99 percent without a route"},
		{"weight 100 without a route", routed(nil), weight(100), "--weight must be between 1 and 99 percent without a route"},
		{"weight and replicas without a route", routed(nil), CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Replicas: 2}, "give --weight or --replicas, not both"},
		{"sticky through a route", routed(nil, newHTTPRoute("web", true, rule("web"))), CanaryRequest{Images: images("web:2"), Weight: 5, Sticky: true},
			"--sticky pins client IPs to pods through kube-proxy, which httproute/web goes around"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planCanary(tt.rel, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant %q", err, tt.want)
			}
		})
	}
}

func TestPlanCanaryNamesARouteOfAnotherNamespace(t *testing.T) {
	gwRoute := newHTTPRoute("web", true, rule("web"))
	gwRoute.Object.SetNamespace("gateways")
	refs := gwRoute.Object.Object["spec"].(map[string]any)["rules"].([]any)[0].(map[string]any)["backendRefs"].([]any)
	refs[0].(map[string]any)["namespace"] = "ns"
	gwRoute, _ = release.NewHTTPRoute(gwRoute.Object)
	rel := routed(nil, gwRoute)
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Route: route.Choice{Ref: ref("httproute/gateways/web")}})
	if err != nil {
		t.Fatal(err)
	}
	refs = httproute.RulesOf(plan.Steps[len(plan.Steps)-1].Object.(*unstructured.Unstructured))[0].(map[string]any)["backendRefs"].([]any)
	if got := fmt.Sprint(refs[1]); !strings.Contains(got, "name:web-canary namespace:ns") {
		t.Errorf("the canary's backend names the Services' namespace: %s", got)
	}
	if svc := plan.Steps[2].Object; objectName(svc) != "svc/web-canary" || !strings.Contains(fmt.Sprint(svc), "httproute/gateways/web") {
		t.Errorf("the canary's Service records the route with its namespace: %v", svc)
	}
}

func TestHTTPRouteChangedDuringTheCanary(t *testing.T) {
	rel := routed(nil, newHTTPRoute("web", true, rule("web")))
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	now := after(rel, plan)
	// Someone adds a rule while the canary runs: abort keeps it, and takes
	// out only ship's backends.
	obj := now.HTTPRoutes[0].Object.DeepCopy()
	rules := httproute.RulesOf(obj)
	if err := unstructured.SetNestedSlice(obj.Object, append(rules, rule("db")), "spec", "rules"); err != nil {
		t.Fatal(err)
	}
	now.HTTPRoutes[0], _ = release.NewHTTPRoute(obj)
	abort, err := planAbort(now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(abort.Notes, "\n"), "httproute web changed since kubectl-ship first changed it") {
		t.Errorf("the change should be noted: %v", abort.Notes)
	}
	want := newHTTPRoute("web", true, rule("web"), rule("db"))
	if got := rulesJSON(after(now, abort).HTTPRoutes[0]); got != rulesJSON(want) {
		t.Errorf("rules after abort:\n got %s\nwant %s", got, rulesJSON(want))
	}
}

func TestParseRouteRef(t *testing.T) {
	for in, want := range map[string]string{
		"httproute/web":                           "HTTPRoute  web",
		"httproutes/gw/web":                       "HTTPRoute gw web",
		"httproute.gateway.networking.k8s.io/web": "HTTPRoute  web",
		"ingress/web":                             "Ingress  web",
		"ing/web":                                 "Ingress  web",
	} {
		r, err := release.ParseRouteRef(in)
		if got := fmt.Sprintf("%s %s %s", r.Kind, r.Namespace, r.Name); err != nil || got != want {
			t.Errorf("ParseRouteRef(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}

// A route of another namespace gets only the names of ship's Services its
// ReferenceGrants let it send traffic to: refused before any write, with
// the grant and what to add.
func TestPlanCanaryChecksTheReferenceGrants(t *testing.T) {
	gwRoute := newHTTPRoute("web", true, rule("web"))
	gwRoute.Object.SetNamespace("gateways")
	refs := gwRoute.Object.Object["spec"].(map[string]any)["rules"].([]any)[0].(map[string]any)["backendRefs"].([]any)
	refs[0].(map[string]any)["namespace"] = "ns"
	gwRoute, _ = release.NewHTTPRoute(gwRoute.Object)
	grant := func(to ...map[string]any) unstructured.Unstructured {
		var list []any
		for _, x := range to {
			list = append(list, x)
		}
		return unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "from-gateways", "namespace": "ns"},
			"spec": map[string]any{"from": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "gateways"}}, "to": list}}}
	}
	service := func(name string) map[string]any { return map[string]any{"group": "", "kind": "Service", "name": name} }
	req := CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Route: route.Choice{Ref: ref("httproute/gateways/web")}}
	for _, tt := range []struct {
		name   string
		grants []unstructured.Unstructured
		want   string
	}{
		{"only the Service named", []unstructured.Unstructured{grant(service("web"))},
			`referencegrant from-gateways in namespace ns does not let httproute gateways/web send traffic to service web-canary and web-stable, which kubectl-ship would write into it: add {group: "", kind: Service, name: web-canary} and {group: "", kind: Service, name: web-stable} to its spec.to`},
		{"no grant", []unstructured.Unstructured{}, "no ReferenceGrant in namespace ns lets httproute gateways/web send traffic to service web-canary and web-stable"},
		{"every Service", []unstructured.Unstructured{grant(map[string]any{"group": "", "kind": "Service"})}, ""},
		{"each Service named", []unstructured.Unstructured{grant(service("web"), service("web-canary"), service("web-stable"))}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rel := routed(nil, gwRoute)
			rel.SetReferenceGrants(tt.grants)
			_, err := planCanary(rel, req)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("error = %v\nwant %q", err, tt.want)
			}
		})
	}
}
