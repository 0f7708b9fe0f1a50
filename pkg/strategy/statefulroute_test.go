package strategy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// statefulRoutedRelease is what kube reads of a StatefulSet's Services and
// routes: service db selecting its pods, httproute web sending to it.
func statefulRoutedRelease(t *testing.T, sts *appsv1.StatefulSet, routes ...*release.HTTPRoute) *release.Release {
	t.Helper()
	rel, err := release.NewChosen(release.StatefulView(sts), nil, []corev1.Service{*fixture.NewService("db").WithPort(80).V()}, release.Choice{})
	if err != nil {
		t.Fatal(err)
	}
	rel.SetRoutes(routes, nil)
	return rel
}

func routedRequest(weight int32) CanaryRequest {
	ref := release.RouteRef{Kind: release.KindHTTPRoute, Name: "web"}
	return CanaryRequest{Images: []Image{{Image: "db:2"}}, Weight: weight, WeightSet: true, Route: route.Choice{Ref: &ref}}
}

// TestPlanStatefulRouted follows a StatefulSet's canary through an
// HTTPRoute: the partition first (the revision is not known yet), then
// ship's Services by revision and the route's exact weights, then abort
// and promote putting the route back exactly before ship's Services go.
func TestPlanStatefulRouted(t *testing.T) {
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	route := newHTTPRoute("web", true, rule("db"))
	original := rulesJSON(route)
	rel := statefulRoutedRelease(t, sts, route)

	first, err := statefulWorkload{sts, nil, rel}.canary(routedRequest(10))
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(first); got != "patch sts/db, wait sts/db" || !first.Continue || first.Route != nil {
		t.Fatalf("first segment: %s (continue %v, route record %v)", got, first.Continue, first.Route)
	}
	if got := release.Partition(patched(t, first)); got != 3 {
		t.Errorf("partition = %d, want 3: one pod carries 10%%", got)
	}
	if !strings.HasPrefix(first.Notes[0], "weight 10% through httproute/web, whatever the pods: 1 canary pod beside 3 stable (pod db-3") {
		t.Errorf("note = %q", first.Notes[0])
	}

	// The controller made revision db-2 and the canary's pod is ready.
	running := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	rel = statefulRoutedRelease(t, running, route)
	second, err := statefulWorkload{running, nil, rel}.canary(routedRequest(10))
	if err != nil {
		t.Fatal(err)
	}
	want := "wait sts/db, create svc/db-canary, create svc/db-stable, wait svc/db-canary, wait svc/db-stable, patch httproute/web"
	if got := actions(second); got != want || second.Continue || second.Route == nil {
		t.Fatalf("second segment: %s (continue %v), want %s", got, second.Continue, want)
	}
	selectors := map[string]string{}
	for _, s := range second.Steps {
		if svc, ok := s.Object.(*corev1.Service); ok && s.Action == plans.Create {
			selectors[svc.Name] = svc.Spec.Selector["app"] + "," + svc.Spec.Selector[release.LabelRevision]
		}
	}
	if selectors["db-canary"] != "db,db-2" || selectors["db-stable"] != "db,db-1" {
		t.Errorf("selectors = %v: the canary's must be the update revision's pods, the stable one's the current revision's", selectors)
	}
	routedRel := after(rel, second)
	weights := rulesJSON(routedRel.HTTPRoutes[0])
	if !strings.Contains(weights, `"name":"db-stable","port":80,"weight":90`) || !strings.Contains(weights, `"name":"db-canary","port":80,"weight":10`) {
		t.Errorf("route rules = %s", weights)
	}

	again, err := statefulWorkload{running, nil, routedRel}.canary(CanaryRequest{Images: []Image{{Image: "db:2"}}, Weight: 10, WeightSet: true})
	if err != nil || again.Writes() {
		t.Errorf("a rerun through the recorded route writes %s (%v)", actions(again), err)
	}

	for _, end := range []struct {
		name string
		plan func(w statefulWorkload) (plans.Plan, error)
		sts  string
	}{
		{"abort", statefulWorkload.abort, "patch sts/db, wait sts/db"},
		{"promote", statefulWorkload.promote, "patch sts/db, wait sts/db"},
	} {
		t.Run(end.name, func(t *testing.T) {
			plan, err := end.plan(statefulWorkload{running, nil, routedRel})
			if err != nil {
				t.Fatal(err)
			}
			want := "wait svc/db, patch httproute/web, delete svc/db-canary, delete svc/db-stable, " + end.sts
			if got := actions(plan); got != want || !plan.RouteRestored {
				t.Fatalf("%s: %s (route restored %v), want %s", end.name, got, plan.RouteRestored, want)
			}
			if got := rulesJSON(after(routedRel, plan).HTTPRoutes[0]); got != original {
				t.Errorf("route after %s = %s, want %s", end.name, got, original)
			}
		})
	}
}

func TestPlanStatefulRoutedRefusals(t *testing.T) {
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	elsewhere := newHTTPRoute("web", true, rule("other"))
	tests := []struct {
		name  string
		route *release.HTTPRoute
		req   CanaryRequest
		want  string
	}{
		{"a route that does not send to its service", elsewhere, routedRequest(10),
			"httproute web does not send traffic to a service of statefulset db (its backends there: other; services selecting its pods: db)"},
		{"a route that does not exist", nil, routedRequest(10), "httproute web not found in namespace ns"},
		{"a weight the pods cannot carry", newHTTPRoute("web", true, rule("db")), routedRequest(90),
			"weight 90% through httproute/web needs 4 of the 4 pods of statefulset db to carry it, and at most 3 can run the canary: give at most --weight 75"},
		{"too few replicas for the weight", newHTTPRoute("web", true, rule("db")), func() CanaryRequest { r := routedRequest(50); r.Replicas = 1; return r }(),
			"--replicas 1: 1 of the 4 pods of statefulset db cannot carry 50% of the traffic through httproute/web: give --replicas 2 or more, or a lower --weight"},
		{"an ingress", newHTTPRoute("web", true, rule("db")), func() CanaryRequest {
			r := routedRequest(10)
			r.Route.Ref = &release.RouteRef{Kind: release.KindIngress, Name: "web"}
			return r
		}(), "statefulset db: --route ingress/web: a StatefulSet's canary runs through an HTTPRoute"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var routes []*release.HTTPRoute
			if tc.route != nil {
				routes = append(routes, tc.route)
			}
			_, err := statefulWorkload{sts, nil, statefulRoutedRelease(t, sts, routes...)}.canary(tc.req)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

// routedProgression plans canary --steps through httproute web on sts,
// its release rel, from the record rec.
func routedProgression(sts *appsv1.StatefulSet, rel *release.Release, steps []ProgressStep, rec *release.Progression) (plans.Plan, error) {
	req := routedRequest(0)
	req.Weight, req.WeightSet = 0, false
	return Canary{Request: req, Progression: &Progression{Steps: steps, Interval: time.Minute}}.
		Plan(&plans.Snapshot{StatefulSet: sts, StatefulRoute: rel, Progression: rec})
}

// A StatefulSet's progression through a route sizes each step's canary
// pods to carry its weight and waits for them, then ship's Services, and
// only then sets the route's weights exactly and holds.
func TestPlanStatefulRoutedSteps(t *testing.T) {
	steps := []ProgressStep{{Weight: 10}, {Weight: 50}}
	route := newHTTPRoute("web", true, rule("db"))
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	first, err := routedProgression(sts, statefulRoutedRelease(t, sts, route), steps, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(first); got != "patch sts/db, wait sts/db" || !first.Continue {
		t.Fatalf("step 1, its pods: %s (continue %v)", got, first.Continue)
	}
	if want := "progression: 1 10% (1 canary pod) held 1m0s; 2 50% (2 canary pods) held 1m0s; then promote"; first.Notes[0] != want {
		t.Errorf("schedule = %q, want %q", first.Notes[0], want)
	}
	if p := first.Steps[1].Progression; p == nil || p.Step != 0 || p.Held {
		t.Errorf("the wait records step 1 under way: %+v", p)
	}

	at10 := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	rel := statefulRoutedRelease(t, at10, route)
	second, err := routedProgression(at10, rel, steps, first.Steps[1].Progression)
	want := "wait sts/db, create svc/db-canary, create svc/db-stable, wait svc/db-canary, wait svc/db-stable, patch httproute/web, hold sts/db"
	if err != nil || actions(second) != want {
		t.Fatalf("step 1, its route: %s (%v), want %s", actions(second), err, want)
	}
	hold := second.Steps[len(second.Steps)-1]
	if hold.Progression.Weight() != 10 || hold.Progression.Step != 0 {
		t.Errorf("the hold judges step 1 at 10%%: %+v", hold.Progression)
	}
	routedRel := after(rel, second)
	routedRel.SetRecord(second.Route)
	if w := rulesJSON(routedRel.HTTPRoutes[0]); !strings.Contains(w, `"name":"db-canary","port":80,"weight":10`) {
		t.Errorf("route rules = %s", w)
	}

	held := *hold.Progression
	held.Held = true
	third, err := routedProgression(at10, routedRel, steps, &held)
	if err != nil || actions(third) != "patch sts/db, wait sts/db" || !third.Continue || release.Partition(patched(t, third)) != 2 {
		t.Fatalf("step 2, its pods first: %s (%v)", actions(third), err)
	}
	if w := rulesJSON(after(routedRel, third).HTTPRoutes[0]); !strings.Contains(w, `"weight":10`) {
		t.Errorf("the route keeps step 1's weights while step 2's pods start: %s", w)
	}
	at50 := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 2)
	fourth, err := routedProgression(at50, routedRel, steps, third.Steps[1].Progression)
	if err != nil || actions(fourth) != "wait sts/db, wait svc/db-canary, wait svc/db-stable, patch httproute/web, hold sts/db" {
		t.Fatalf("step 2, its route: %s (%v)", actions(fourth), err)
	}
	if w := rulesJSON(after(routedRel, fourth).HTTPRoutes[0]); !strings.Contains(w, `"name":"db-canary","port":80,"weight":50`) {
		t.Errorf("route rules at step 2 = %s", w)
	}
}

// A step the pods cannot carry through the route is refused before
// anything starts.
func TestPlanStatefulRoutedStepsRefused(t *testing.T) {
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	_, err := routedProgression(sts, statefulRoutedRelease(t, sts, newHTTPRoute("web", true, rule("db"))), []ProgressStep{{Weight: 10}, {Weight: 90}}, nil)
	want := "step 90%: weight 90% through httproute/web needs 4 of the 4 pods of statefulset db to carry it, and at most 3 can run the canary: give at most --weight 75"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// A StatefulSet's canary without --route finds its route as a
// Deployment's does: the only HTTPRoute of its namespace sending traffic
// to a Service of its pods; none, its share of the pods; several, or
// routes of another namespace a ReferenceGrant lets in, refused in one
// line; --route none, the share of the pods whatever the routes.
func TestPlanStatefulFindsItsRoute(t *testing.T) {
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	grant := unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "from-gateways", "namespace": "ns"},
		"spec": map[string]any{"from": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "gateways"}},
			"to": []any{map[string]any{"group": "", "kind": "Service"}}}}}
	found := CanaryRequest{Images: []Image{{Image: "db:2"}}, Weight: 25, WeightSet: true}
	none := found
	none.Route.None = true
	for _, tc := range []struct {
		name   string
		routes []*release.HTTPRoute
		grants bool
		req    CanaryRequest
		want   string
	}{
		{"the only route to its service", []*release.HTTPRoute{newHTTPRoute("web", true, rule("db")), newHTTPRoute("elsewhere", true, rule("other"))}, false, found,
			"weight 25% through httproute/web, whatever the pods: 1 canary pod beside 3 stable (pod db-3 of statefulset db)"},
		{"no route to its service", []*release.HTTPRoute{newHTTPRoute("elsewhere", true, rule("other"))}, false, found,
			"weight 25.0%: 1 canary pod beside 3 stable (pod db-3 of statefulset db)"},
		{"two routes to its service", []*release.HTTPRoute{newHTTPRoute("web", true, rule("db")), newHTTPRoute("api", true, rule("db"))}, false, found,
			"error: httproutes api, web send traffic to service db: name the one to drive with --route httproute/NAME (or --route none for the share of the pods)"},
		{"--route none beside two routes", []*release.HTTPRoute{newHTTPRoute("web", true, rule("db")), newHTTPRoute("api", true, rule("db"))}, false, none,
			"weight 25.0%: 1 canary pod beside 3 stable (pod db-3 of statefulset db)"},
		{"a ReferenceGrant lets other routes in", nil, true, found,
			"error: a ReferenceGrant lets the HTTPRoutes of namespace gateways send traffic to service db, and kubectl-ship drives a route of another namespace only when named"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := statefulRoutedRelease(t, sts, tc.routes...)
			if tc.grants {
				rel.SetReferenceGrants([]unstructured.Unstructured{grant})
			}
			plan, err := statefulWorkload{sts, nil, rel}.canary(tc.req)
			got := "error: " + fmt.Sprint(err)
			if err == nil {
				got = plan.Notes[0]
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// A StatefulSet no Service selects takes its share of the pods: no route
// can send it traffic, whatever a ReferenceGrant lets in.
func TestPlanStatefulWithoutAServiceIgnoresTheRoutes(t *testing.T) {
	sts := fixture.NewStatefulSet("db").WithReplicas(4).V()
	rel, _ := release.NewChosen(release.StatefulView(sts), nil, nil, release.Choice{})
	if rel == nil {
		t.Fatal("the release of a StatefulSet no Service selects should still be read")
	}
	rel.SetRoutes([]*release.HTTPRoute{newHTTPRoute("web", true, rule("other"))}, nil)
	rel.SetReferenceGrants([]unstructured.Unstructured{{Object: map[string]any{"metadata": map[string]any{"name": "all", "namespace": "ns"},
		"spec": map[string]any{"from": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "gateways"}},
			"to": []any{map[string]any{"group": "", "kind": "Service"}}}}}})
	plan, err := statefulWorkload{sts, nil, rel}.canary(CanaryRequest{Images: []Image{{Image: "db:2"}}, Replicas: 1})
	if err != nil || !strings.HasPrefix(plan.Notes[0], "weight 25.0%: 1 canary pod beside 3 stable") {
		t.Errorf("plan %v, %v: want the share of the pods", plan.Notes, err)
	}
}
