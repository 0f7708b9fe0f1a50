package strategy

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

func TestSwitchThroughAnHTTPRoute(t *testing.T) {
	rel := greenRelease(release.Blue)
	route := newHTTPRoute("web", true, rule("web"))
	before := rulesJSON(route)
	rel.SetRoutes([]*release.HTTPRoute{route}, nil)
	toGreen, err := Switch{}.Plan(&plans.Snapshot{Release: rel})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(toGreen); got != "create svc/web-green, wait svc/web-green, patch httproute/web" {
		t.Fatalf("to green: %s", got)
	}
	if got := labels.Set(toGreen.Steps[0].Object.(*corev1.Service).Spec.Selector).String(); got != "app=web,version=2.0.0" {
		t.Errorf("web-green selects %s", got)
	}
	refs := httproute.RulesOf(toGreen.Steps[2].Object.(*unstructured.Unstructured))[0].(map[string]any)["backendRefs"].([]any)
	if refs[0].(map[string]any)["name"] != "web" || refs[0].(map[string]any)["weight"] != int64(0) ||
		refs[1].(map[string]any)["name"] != "web-green" || refs[1].(map[string]any)["weight"] != int64(100) {
		t.Errorf("backends: %v", refs)
	}
	if toGreen.Steps[2].Operation != "switched to green" {
		t.Errorf("operation %q", toGreen.Steps[2].Operation)
	}
	green := after(rel, toGreen)
	if again, err := (Switch{}).Plan(&plans.Snapshot{Release: green}); err != nil || again.Writes() {
		t.Errorf("switching again: %v, %s", err, actions(again))
	}
	for what, refused := range map[string]func() error{
		"bluegreen": func() error {
			_, err := planBlueGreen(green, BlueGreenRequest{Images: images("web:3.0.0")}, nil)
			return err
		},
		"cleanup": func() error { _, err := planCleanup(green, false); return err },
	} {
		if err := refused(); err == nil || !strings.Contains(err.Error(), "green serves release web through httproute/web") {
			t.Errorf("%s while green serves through the route: %v", what, err)
		}
	}
	if scale, err := planScale(green, ScaleRequest{Replicas: 5}); err != nil || actions(scale) != "patch web-green, wait web-green" {
		t.Errorf("scale should scale green, which serves through the route: %v, %s", err, actions(scale))
	}
	back, err := Switch{To: release.Blue}.Plan(&plans.Snapshot{Release: green})
	if err != nil || actions(back) != "wait svc/web, patch httproute/web, delete svc/web-green" {
		t.Fatalf("to blue: %v, %s", err, actions(back))
	}
	if got := rulesJSON(after(green, back).HTTPRoutes[0]); got != before {
		t.Errorf("back to blue, the rules should be as they were:\n got %s\nwant %s", got, before)
	}
	// Ending the release: the Service first selects the version blue's
	// pods are about to carry, then blue rolls, then the route goes back.
	end, err := planCleanup(green, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "patch svc/web, wait svc/web, patch web, wait web, wait svc/web, patch httproute/web, delete svc/web-green, delete web-green"
	if got := actions(end); got != want {
		t.Errorf("cleanup --delete:\n got %s\nwant %s", got, want)
	}
}
