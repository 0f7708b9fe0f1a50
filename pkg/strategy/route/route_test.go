package route

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// webRelease is Deployment web behind Service web, with the HTTPRoutes
// named (each sending all of its traffic to web) and the Ingresses given.
func webRelease(t *testing.T, routes []string, ingresses ...networkingv1.Ingress) *release.Release {
	t.Helper()
	rel := &release.Release{Stable: fixture.NewDeployment("web").V(), Services: []*corev1.Service{fixture.NewService("web").V()}}
	var read []*release.HTTPRoute
	for _, name := range routes {
		r, err := release.NewHTTPRoute(fixture.NewHTTPRoute(name, true, fixture.HTTPRouteRule("web")))
		if err != nil {
			t.Fatal(err)
		}
		read = append(read, r)
	}
	rel.SetRoutes(read, ingresses)
	return rel
}

func TestParseChoice(t *testing.T) {
	for _, tt := range []struct{ in, want, needs string }{
		{"none", "none", "{Discover:false Recorded:false Grants:false Named:<nil>}"},
		{"httproute/web", "HTTPRoute/web", "named"},
		{"ingress/web", "Ingress/web", "named"},
		{"deployment/web", "error", ""},
	} {
		c, err := ParseChoice(tt.in)
		got := "error"
		switch {
		case err != nil:
		case c.None:
			got = "none"
		default:
			got = string(c.Ref.Kind) + "/" + c.Ref.Name
		}
		if got != tt.want {
			t.Errorf("ParseChoice(%q) = %s (%v), want %s", tt.in, got, err, tt.want)
		}
		if err == nil && c.Ref != nil && c.Needs().Named != c.Ref {
			t.Errorf("%s: a named route is read by name: %+v", tt.in, c.Needs())
		}
		if err == nil && c.None && (c.Needs() != plans.RouteNeeds{}) {
			t.Errorf("--route none reads no route: %+v", c.Needs())
		}
	}
	if n := (Choice{}).Needs(); !n.Discover || !n.Recorded || !n.Grants {
		t.Errorf("without --route the routes are discovered, with the record and the grants: %+v", n)
	}
}

func TestShareString(t *testing.T) {
	for share, want := range map[Share]string{{Weight: 5, Total: 100}: "5%", {Weight: 1, Total: 1000}: "1/1000", {Total: 100}: "0%"} {
		if got := share.String(); got != want {
			t.Errorf("%+v: %q, want %q", share, got, want)
		}
	}
}

func TestForCanary(t *testing.T) {
	named := func(s string) Choice {
		c, err := ParseChoice(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ing := networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: fixture.Namespace}, Spec: networkingv1.IngressSpec{
		DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web"}}}}
	for _, tt := range []struct {
		name   string
		routes []string
		choice Choice
		want   string
	}{
		{"the only route", []string{"web"}, Choice{}, "HTTPRoute/web"},
		{"no route: the share of the pods", nil, Choice{}, "none"},
		{"none asked", []string{"web"}, Choice{None: true}, "none"},
		{"two routes", []string{"web", "web-2"}, Choice{}, "httproutes web, web-2 send traffic to service web: name the one to drive with --route httproute/NAME"},
		{"one of two named", []string{"web", "web-2"}, named("httproute/web-2"), "HTTPRoute/web-2"},
		{"named, missing", nil, named("httproute/nope"), "httproute nope not found in namespace ns"},
		{"an ingress", nil, named("ingress/web"), "Ingress/web"},
		{"an ingress, missing", nil, named("ingress/api"), "ingress api not found in namespace ns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rel := webRelease(t, tt.routes, ing)
			target, err := ForCanary(rel, rel.Services[0], tt.choice)
			got := "none"
			switch {
			case err != nil:
				got = err.Error()
			case target != nil:
				ref := target.Ref(fixture.Namespace)
				got = string(ref.Kind) + "/" + ref.Name
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Through ingress-nginx the canary gets a copy of the user's Ingress with
// the weight, header and cookie as annotations; the weight it has is read
// back from them.
func TestToCanaryThroughAnIngress(t *testing.T) {
	ing := networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: fixture.Namespace,
		Annotations: map[string]string{ingressClassAnnotation: "nginx"}}, Spec: networkingv1.IngressSpec{
		DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web"}}}}
	rel := webRelease(t, nil, ing)
	target := &Target{Ingress: rel.Ingress("web")}
	svc := rel.Services[0]
	tracks, err := NewTrackServices(rel, svc, map[string]string{"app": "web-canary"}, "app", target.Ref(fixture.Namespace))
	if err != nil {
		t.Fatal(err)
	}
	var plan plans.Plan
	share := Share{Weight: 3, Total: 1000, Header: &release.HeaderMatch{Name: "X-User", Value: "^a", Type: "RegularExpression"}, Cookie: "beta"}
	steps, err := ToCanary(rel, target, tracks, share, &plan)
	if err != nil || len(steps) != 1 || steps[0].Action != plans.Create {
		t.Fatalf("want one create: %v %+v", err, steps)
	}
	canary := steps[0].Object.(*networkingv1.Ingress)
	want := map[string]string{nginxCanary: "true", nginxCanaryWeight: "3", nginxCanaryWeightTotal: "1000",
		nginxCanaryByHeader: "X-User", nginxCanaryHeaderRegexp: "^a", nginxCanaryByCookie: "beta", ingressClassAnnotation: "nginx"}
	for k, v := range want {
		if canary.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, canary.Annotations[k], v)
		}
	}
	if b := canary.Spec.DefaultBackend; b == nil || b.Service.Name != "web-canary" {
		t.Errorf("the canary Ingress sends to the canary's Service: %+v", b)
	}
	if plan.Route == nil || plan.Route.Route != "ingress/web" {
		t.Errorf("the plan records the route: %+v", plan.Route)
	}

	// ship's Ingress and Service there: the weight is read back.
	rel.SetRoutes(nil, []networkingv1.Ingress{ing, *canary})
	rel.CanaryService = fixture.NewService("web-canary").V()
	if w, total, ok := target.CurrentWeight(rel); !ok || w != 3 || total != 1000 {
		t.Errorf("current weight %d/%d %v, want 3/1000", w, total, ok)
	}
	if steps, err := ToCanary(rel, target, tracks, share, &plan); err != nil || len(steps) != 0 {
		t.Errorf("the same share again changes nothing: %v %+v", err, steps)
	}
}

func TestNothingToTearDownWithoutARecord(t *testing.T) {
	rel := webRelease(t, []string{"web"})
	for name, teardown := range map[string]func(*release.Release) ([]plans.Step, []string, error){"canary": Teardown, "green": GreenTeardown} {
		if steps, notes, err := teardown(rel); err != nil || len(steps) != 0 || len(notes) != 0 {
			t.Errorf("%s: a release that runs through no route has nothing to put back: %v %v %v", name, steps, notes, err)
		}
	}
	if got := MissingBackends(rel); got != "" {
		t.Errorf("no record, nothing missing: %q", got)
	}
}

// Through an HTTPRoute the canary's share is the route's weight; ship's
// canary Service keeps the rules as they were, and the teardown puts them
// back exactly, once the user's Service has ready endpoints.
func TestToCanaryThroughAnHTTPRouteAndBack(t *testing.T) {
	rel := webRelease(t, []string{"web"})
	before := rel.HTTPRoutes[0].Spec.Rules
	target, err := ForCanary(rel, rel.Services[0], Choice{})
	if err != nil || target == nil || target.HTTP == nil {
		t.Fatalf("the only route: %v %+v", err, target)
	}
	tracks, err := NewTrackServices(rel, rel.Services[0], map[string]string{"app": "web-canary"}, "app", target.Ref(fixture.Namespace))
	if err != nil || tracks.Stable != nil {
		t.Fatalf("service web leaves the canary's pods out, so it stays the stable backend: %v %+v", err, tracks)
	}
	var plan plans.Plan
	steps, err := ToCanary(rel, target, tracks, Share{Weight: 10, Total: 100}, &plan)
	if err != nil || len(steps) != 1 || steps[0].Action != plans.Patch {
		t.Fatalf("want the route patched: %v %+v", err, steps)
	}
	if plan.Route == nil || plan.Route.Route != "httproute/web" || len(plan.Route.Rules) != 1 {
		t.Errorf("the plan records the route and its rules: %+v", plan.Route)
	}

	// As the plan leaves it: ship's Service there, the route split.
	patched, err := release.NewHTTPRoute(steps[0].Object.(*unstructured.Unstructured))
	if err != nil {
		t.Fatal(err)
	}
	rel.SetRoutes([]*release.HTTPRoute{patched}, nil)
	rel.CanaryService = tracks.canary
	if w, total, ok := (&Target{HTTP: patched}).CurrentWeight(rel); !ok || w != 10 || total != 100 {
		t.Errorf("current weight %d/%d %v, want 10/100", w, total, ok)
	}
	steps, notes, err := Teardown(rel)
	if err != nil || len(notes) != 0 {
		t.Fatalf("teardown: %v %v", err, notes)
	}
	var got []string
	for _, s := range steps {
		got = append(got, string(s.Action))
	}
	if strings.Join(got, ",") != "wait,patch,delete" || steps[0].Object.(*corev1.Service).Name != "web" {
		t.Fatalf("teardown: wait for service web, put the route back, then delete web-canary: %v", got)
	}
	back, err := release.NewHTTPRoute(steps[1].Object.(*unstructured.Unstructured))
	if err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(back.Spec.Rules, before) {
		t.Errorf("the route goes back exactly:\n got %+v\nwant %+v", back.Spec.Rules, before)
	}
}
