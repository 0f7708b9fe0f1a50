package strategy

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

func header(s string) *release.HeaderMatch {
	h, err := httproute.ParseHeader(s)
	if err != nil {
		panic(err)
	}
	return &h
}

func TestPlanCanaryThroughAnHTTPRoute(t *testing.T) {
	route := newHTTPRoute("web", true, rule("web"), rule("web", apiGET()), rule("db"))
	before := rulesJSON(route)
	rel := routed(nil, route)
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Header: header("X-Canary=always")})
	if err != nil {
		t.Fatal(err)
	}
	// The route changes last, once ship's Services have ready endpoints.
	want := "create web-canary, wait web-canary, create svc/web-canary, create svc/web-stable, wait svc/web-canary, wait svc/web-stable, patch httproute/web"
	if got := actions(plan); got != want {
		t.Fatalf("steps:\n got %s\nwant %s", got, want)
	}
	// Said before anything changes: what the route needs created.
	if notes := strings.Join(plan.Notes, "\n"); !strings.Contains(notes, "for httproute/web kubectl-ship creates service web-canary and service web-stable; promote and abort delete them") {
		t.Errorf("the notes should name the Services created:\n%s", notes)
	}
	if c := plan.Steps[0].Object.(*appsv1.Deployment); *c.Spec.Replicas != 1 || c.Annotations[release.AnnotationWeight] != "" {
		t.Errorf("the canary: %d replicas, weight annotation %q", *c.Spec.Replicas, c.Annotations[release.AnnotationWeight])
	}
	for i, sel := range map[int]string{2: "app=web,track=canary", 3: "app=web,track=stable"} {
		if got := labels.Set(plan.Steps[i].Object.(*corev1.Service).Spec.Selector).String(); got != sel {
			t.Errorf("step %d selects %s, want %s", i, got, sel)
		}
	}
	if got := plan.Steps[2].Object.(*corev1.Service).Annotations[release.AnnotationRouteRules]; got != before {
		t.Errorf("the canary's Service should keep the rules as they were:\n got %s\nwant %s", got, before)
	}
	patch := plan.Steps[6]
	if patch.PatchType != types.MergePatchType || !strings.Contains(string(patch.Patch), `"resourceVersion":"11"`) {
		t.Errorf("the route is patched by JSON merge patch with its resourceVersion: %s %s", patch.PatchType, patch.Patch)
	}
	var body struct{ Spec struct{ Rules []any } }
	if err := json.Unmarshal(patch.Patch, &body); err != nil || len(body.Spec.Rules) != 5 {
		t.Fatalf("the patch should hold the 5 rules: %v %s", err, patch.Patch)
	}
	got, _ := json.Marshal(body.Spec.Rules)
	// Header rules first, keeping each rule's path and method; then the
	// route's own rules, split 95/5; the rule to db untouched.
	const wantRules = `[` +
		`{"backendRefs":[{"group":"","kind":"Service","name":"web-canary","port":80,"weight":1}],"matches":[{"headers":[{"name":"X-Canary","type":"Exact","value":"always"}],"path":{"type":"PathPrefix","value":"/"}}]},` +
		`{"backendRefs":[{"group":"","kind":"Service","name":"web-canary","port":80,"weight":1}],"matches":[{"headers":[{"name":"X-Canary","type":"Exact","value":"always"}],"method":"GET","path":{"type":"PathPrefix","value":"/api"}}]},` +
		`{"backendRefs":[{"group":"","kind":"Service","name":"web-stable","port":80,"weight":95},{"group":"","kind":"Service","name":"web-canary","port":80,"weight":5}],"matches":[{"path":{"type":"PathPrefix","value":"/"}}]},` +
		`{"backendRefs":[{"group":"","kind":"Service","name":"web-stable","port":80,"weight":95},{"group":"","kind":"Service","name":"web-canary","port":80,"weight":5}],"matches":[{"method":"GET","path":{"type":"PathPrefix","value":"/api"}}]},` +
		`{"backendRefs":[{"group":"","kind":"Service","name":"db","port":80,"weight":1}],"matches":[{"path":{"type":"PathPrefix","value":"/"}}]}]`
	if string(got) != wantRules {
		t.Errorf("rules:\n got %s\nwant %s", got, wantRules)
	}

	// Run again on what it left: nothing more. Then abort: the route goes
	// back first, exactly as it was, then ship's Services, then the canary.
	now := after(rel, plan)
	if again, err := planCanary(now, CanaryRequest{Images: images("web:2"), Weight: 5, WeightSet: true, Header: header("X-Canary=always")}); err != nil || again.Writes() {
		t.Errorf("a re-run should write nothing: %v, %s", err, actions(again))
	}
	if kept, err := planCanary(now, CanaryRequest{Images: images("web:2"), Header: header("X-Canary=always")}); err != nil || kept.Writes() {
		t.Errorf("without --weight the route's weight is kept: %v, %s", err, actions(kept))
	}
	abort, err := planAbort(now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(abort), "wait svc/web, patch httproute/web, delete svc/web-canary, delete svc/web-stable, delete web-canary"; got != want {
		t.Fatalf("abort:\n got %s\nwant %s", got, want)
	}
	if got := rulesJSON(after(now, abort).HTTPRoutes[0]); got != before {
		t.Errorf("abort should put the rules back exactly:\n got %s\nwant %s", got, before)
	}
}

func TestPromoteThroughAnHTTPRoute(t *testing.T) {
	route := newHTTPRoute("web", true, rule("web"))
	rel := routed(nil, route)
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 50, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	now := after(rel, plan)
	promote, err := planPromote(now)
	if err != nil {
		t.Fatal(err)
	}
	want := "patch web, wait web, wait svc/web, patch httproute/web, delete svc/web-canary, delete svc/web-stable, delete web-canary"
	if got := actions(promote); got != want {
		t.Fatalf("promote:\n got %s\nwant %s", got, want)
	}
	// Interrupted after the route went back: the rest, then nothing.
	mid := after(now, plans.Plan{Steps: promote.Steps[:4]})
	if rest, err := planPromote(mid); err != nil || actions(rest) != "wait web, delete svc/web-canary, delete svc/web-stable, delete web-canary" {
		t.Errorf("promote after the route: %v, %s", err, actions(rest))
	}
}

func TestPlanCanaryWeightIsExactWhateverThePods(t *testing.T) {
	for _, tt := range []struct {
		weight, total, replicas int32
		wantStable, wantCanary  int64
		wantPods                int32
	}{
		{5, 0, 0, 95, 5, 1},
		{50, 0, 0, 50, 50, 2},
		{100, 0, 0, 0, 100, 3},
		{0, 0, 0, 100, 0, 1},
		{1, 1000, 0, 999, 1, 1},
		{5, 0, 4, 95, 5, 4},
	} {
		rel := routed(nil, newHTTPRoute("web", true, rule("web")))
		plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: tt.weight, WeightSet: true, WeightTotal: tt.total, Replicas: tt.replicas})
		if err != nil {
			t.Fatal(err)
		}
		canary := plan.Steps[0].Object.(*appsv1.Deployment)
		refs := plan.Steps[len(plan.Steps)-1].Object.(*unstructured.Unstructured).Object["spec"].(map[string]any)["rules"].([]any)[0].(map[string]any)["backendRefs"].([]any)
		stable, canaryWeight := refs[0].(map[string]any)["weight"], refs[1].(map[string]any)["weight"]
		if stable != tt.wantStable || canaryWeight != tt.wantCanary || *canary.Spec.Replicas != tt.wantPods {
			t.Errorf("weight %d/%d, replicas %d: weights %v/%v and %d pods, want %d/%d and %d",
				tt.weight, tt.total, tt.replicas, stable, canaryWeight, *canary.Spec.Replicas, tt.wantStable, tt.wantCanary, tt.wantPods)
		}
	}
}

func TestPlanCanaryWithoutStableServiceWhenTheServiceSelectsTheTrack(t *testing.T) {
	rel := routed(nil, newHTTPRoute("web", true, rule("web")))
	rel.Services[0].Spec.Selector["track"] = "stable"
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 10, WeightSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "create web-canary, wait web-canary, create svc/web-canary, wait svc/web-canary, patch httproute/web" {
		t.Fatalf("steps: %s", got)
	}
	refs := httproute.RulesOf(plan.Steps[4].Object.(*unstructured.Unstructured))[0].(map[string]any)["backendRefs"].([]any)
	if refs[0].(map[string]any)["name"] != "web" {
		t.Errorf("the Service already selects only the stable pods and stays the stable backend: %v", refs)
	}
}
