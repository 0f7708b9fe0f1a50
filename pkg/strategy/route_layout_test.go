package strategy

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// appOnlyRouted is the most common layout: Deployment web whose pods carry
// app=web alone, Service web selecting app=web, and the routes given.
func appOnlyRouted(routes ...*release.HTTPRoute) *release.Release {
	rel := newRelease(newDeployment("web", "web:1", 3).appOnly().v(), nil)
	rel.SetRoutes(routes, nil)
	return rel
}

// On pods labelled only app, the canary's pods carry app=web-canary: the
// Service keeps only the stable pods, no NAME-stable is made, the stable
// Deployment is untouched, and the route's weight is exact.
func TestPlanCanaryThroughARouteOnPodsLabelledOnlyApp(t *testing.T) {
	route := newHTTPRoute("web", true, rule("web"), rule("web", apiGET()))
	before := rulesJSON(route)
	rel := appOnlyRouted(route)
	req := CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Cookie: "beta"}
	plan, err := planCanary(rel, req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(plan), "create web-canary, wait web-canary, create svc/web-canary, wait svc/web-canary, patch httproute/web"; got != want {
		t.Fatalf("steps:\n got %s\nwant %s", got, want)
	}
	canary := plan.Steps[0].Object.(*appsv1.Deployment)
	if got := labels.Set(canary.Spec.Template.Labels).String(); got != "app=web-canary,track=canary" {
		t.Errorf("the canary's pods: %s", got)
	}
	if got := metav1.FormatLabelSelector(canary.Spec.Selector); got != "app=web-canary,track=canary" {
		t.Errorf("the canary's selector: %s", got)
	}
	if got := labels.Set(plan.Steps[2].Object.(*corev1.Service).Spec.Selector).String(); got != "app=web-canary" {
		t.Errorf("ship's Service selects %s", got)
	}
	notes := strings.Join(plan.Notes, "\n")
	for _, want := range []string{"the canary's pods carry app=web-canary and track=canary: service web keeps selecting only the stable pods",
		"nothing of deployment web changes or restarts", "select them by app=web-canary ({{.Canary}} in --analysis)",
		"for httproute/web kubectl-ship creates service web-canary; promote and abort delete it"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the plan should say %q:\n%s", want, notes)
		}
	}
	rules := rulesJSON(after(rel, plan).HTTPRoutes[0])
	if !strings.Contains(rules, `{"group":"","kind":"Service","name":"web","port":80,"weight":95},{"group":"","kind":"Service","name":"web-canary","port":80,"weight":5}`) ||
		!strings.Contains(rules, `"name":"Cookie","type":"RegularExpression"`) {
		t.Errorf("the route should send 95 to web, 5 to web-canary, and the cookie's requests to web-canary: %s", rules)
	}

	now := after(rel, plan)
	if again, err := planCanary(now, req); err != nil || again.Writes() {
		t.Errorf("a re-run should write nothing: %v, %s", err, actions(again))
	}
	resize, err := planCanary(now, CanaryRequest{Images: images("web:2"), Weight: 50, WeightSet: true})
	if err != nil || actions(resize) != "patch web-canary, wait web-canary, wait svc/web-canary, patch httproute/web" {
		t.Errorf("resize: %v, %s", err, actions(resize))
	}
	promote, err := planPromote(now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(promote), "patch web, wait web, wait svc/web, patch httproute/web, delete svc/web-canary, delete web-canary"; got != want {
		t.Fatalf("promote:\n got %s\nwant %s", got, want)
	}
	if got := labels.Set(promote.Steps[0].Object.(*appsv1.Deployment).Spec.Template.Labels).String(); got != "app=web" {
		t.Errorf("the promoted stable pods keep their own labels, not %s", got)
	}
	abort, err := planAbort(now)
	if err != nil || actions(abort) != "wait svc/web, patch httproute/web, delete svc/web-canary, delete web-canary" {
		t.Fatalf("abort: %v, %s", err, actions(abort))
	}
	if got := rulesJSON(after(now, abort).HTTPRoutes[0]); got != before {
		t.Errorf("abort should put the rules back exactly:\n got %s\nwant %s", got, before)
	}
}

// A canary adopted in the walkthrough's layout (version: 1.0.0 and 2.0.0
// under one Service) runs through a route as it is: ship's Services select
// each version, and the canary is only resized.
func TestPlanCanaryThroughARouteKeepsAnAdoptedCanarysLabels(t *testing.T) {
	stable := newDeployment("ctwoc", "example/ctwoc:1.0.0", 3).appOnly().withSelector("version", "1.0.0").v()
	canary := newDeployment("ctwoc-v2", "example/ctwoc:2.0.0", 1).appOnly().v()
	canary.Spec.Template.Spec.Containers[0].Name = "ctwoc"
	canary.Spec.Selector.MatchLabels = map[string]string{"app": "ctwoc", "version": "2.0.0"}
	canary.Spec.Template.Labels = map[string]string{"app": "ctwoc", "version": "2.0.0"}
	canary.Labels, canary.Annotations = release.OwnedBy("ctwoc", release.RoleCanary)
	canary.Annotations[release.AnnotationAdopted] = "true"
	rel := newRelease(stable, canary)
	rel.SetRoutes([]*release.HTTPRoute{newHTTPRoute("ctwoc", true, rule("ctwoc"))}, nil)
	plan, err := planCanary(rel, CanaryRequest{Images: images("example/ctwoc:2.0.0"), Weight: 10, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(plan), "patch ctwoc-v2, wait ctwoc-v2, create svc/ctwoc-canary, create svc/ctwoc-stable, wait svc/ctwoc-canary, wait svc/ctwoc-stable, patch httproute/ctwoc"; got != want {
		t.Fatalf("steps:\n got %s\nwant %s", got, want)
	}
	for i, sel := range map[int]string{2: "app=ctwoc,version=2.0.0", 3: "app=ctwoc,version=1.0.0"} {
		if got := labels.Set(plan.Steps[i].Object.(*corev1.Service).Spec.Selector).String(); got != sel {
			t.Errorf("step %d selects %s, want %s", i, got, sel)
		}
	}
}

// A resize that gives no --header or --cookie takes the testers' rules out:
// it says so first, with the flags that keep them.
func TestPlanCanaryResizeSaysWhichHeaderRulesGo(t *testing.T) {
	rel := appOnlyRouted(newHTTPRoute("web", true, rule("web")))
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Header: header("X-Canary=always"), Cookie: "beta"})
	if err != nil {
		t.Fatal(err)
	}
	now := after(rel, plan)
	resize, err := planCanary(now, CanaryRequest{Images: images("web:2"), Weight: 20, WeightSet: true, Cookie: "beta"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "warning: the route's rules that send header X-Canary=always to the canary go, as this command does not ask for them: give --header X-Canary=always again to keep them"
	if notes := strings.Join(resize.Notes, "\n"); !strings.Contains(notes, want) || strings.Contains(notes, "cookie beta") {
		t.Errorf("notes:\n%s", notes)
	}
}

// ship's Services deleted while the canary runs through a route: abort puts
// the route back from the release's record, byte for byte, and promote does
// it first, before the stable Deployment rolls.
func TestTheRouteGoesBackFromTheRecord(t *testing.T) {
	route := newHTTPRoute("web", true, rule("web"), rule("web", apiGET()))
	before := rulesJSON(route)
	rel := routed(nil, route)
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 10, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Route == nil || plan.Route.Route != "httproute/web" || plan.Route.Role != release.RoleCanary {
		t.Fatalf("the plan should give the record its way back: %+v", plan.Route)
	}
	now := after(rel, plan)
	now.CanaryService, now.StableService = nil, nil // deleted by hand
	now.SetRecord(plan.Route)
	abort, err := planAbort(now)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(abort); got != "wait svc/web, patch httproute/web, delete web-canary" || !abort.RouteRestored {
		t.Fatalf("abort: %s (restored %v)", got, abort.RouteRestored)
	}
	if got := rulesJSON(after(now, abort).HTTPRoutes[0]); got != before {
		t.Errorf("abort should put the rules back exactly:\n got %s\nwant %s", got, before)
	}
	promote, err := planPromote(now)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(promote); got != "wait svc/web, patch httproute/web, patch web, wait web, delete web-canary" {
		t.Errorf("promote puts the route back first: %s", got)
	}
	if notes := strings.Join(promote.Notes, "\n"); !strings.Contains(notes, "httproute web sends traffic to services web-stable and web-canary, which no longer exist: the route goes back first") {
		t.Errorf("promote notes:\n%s", notes)
	}
}

// A canary started by the share of the pods on pods labelled only app
// cannot go through a route as it is: abort it first, says the refusal.
func TestPlanCanaryOfTheShareOfThePodsThroughARoute(t *testing.T) {
	rel := appOnlyRouted()
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 25, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	now := after(rel, plan)
	now.SetRoutes([]*release.HTTPRoute{newHTTPRoute("web", true, rule("web"))}, nil)
	_, err = planCanary(now, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true})
	if err == nil || !strings.Contains(err.Error(), "canary web-canary selects app=web,track=canary, not app=web-canary,track=canary as a canary through httproute/web needs: abort it and start the canary again") {
		t.Errorf("error = %v", err)
	}
}
