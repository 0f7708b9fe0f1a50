package strategy

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func images(values ...string) []Image {
	out, err := ParseImages(values)
	if err != nil {
		panic(err)
	}
	return out
}

func TestPlanCanaryCreates(t *testing.T) {
	rel := newRelease(fixture.NewDeployment("web").V(), nil)
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 25})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 || plan.Steps[0].Action != plans.Create || plan.Steps[1].Action != plans.Wait {
		t.Fatalf("want create then wait, got %+v", plan.Steps)
	}
	canary := plan.Steps[0].Object.(*appsv1.Deployment)
	if canary.Name != "web-canary" || *canary.Spec.Replicas != 1 || canary.Spec.Template.Spec.Containers[0].Image != "web:2" {
		t.Errorf("canary = %s, %d replicas, image %s", canary.Name, *canary.Spec.Replicas, canary.Spec.Template.Spec.Containers[0].Image)
	}
	// The Service (app=web) routes to the canary's pods, the canary's
	// selector does not match the stable pods (track=stable).
	if got := canary.Spec.Template.Labels; got["app"] != "web" || got["track"] != "canary" {
		t.Errorf("canary pod labels = %v", got)
	}
	if got := metav1.FormatLabelSelector(canary.Spec.Selector); got != "app=web,track=canary" {
		t.Errorf("canary selector = %s", got)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "also matches the canary's pods") {
		t.Errorf("the overlap of the stable selector should be noted: %v", plan.Notes)
	}
	if rel.Stable.Spec.Template.Spec.Containers[0].Image != "web:1" {
		t.Error("planning changed the stable Deployment")
	}
}

func TestPlanCanaryVariesTheStableSelectorsOwnLabel(t *testing.T) {
	stable := fixture.NewDeployment("web").Selecting("track", "stable").V()
	plan, err := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2")})
	if err != nil {
		t.Fatal(err)
	}
	canary := plan.Steps[0].Object.(*appsv1.Deployment)
	if got := metav1.FormatLabelSelector(canary.Spec.Selector); got != "app=web,track=canary" {
		t.Errorf("canary selector = %s", got)
	}
	if len(plan.Notes) != 1 {
		t.Errorf("no overlap, so only the weight note is expected: %v", plan.Notes)
	}
}

func TestPlanCanaryRerunIsANoOp(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	first, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: 25})
	existing := first.Steps[0].Object.(*appsv1.Deployment)
	existing.ResourceVersion = "9"

	plan, err := planCanary(newRelease(stable, existing), CanaryRequest{Images: images("web:2"), Weight: 25})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Writes() {
		t.Fatalf("a re-run should write nothing: %+v", plan.Steps)
	}
	if last := plan.Notes[len(plan.Notes)-1]; last != "canary web-canary already at 25.0%: nothing to change" {
		t.Errorf("note = %q", last)
	}
}

func TestPlanCanaryResizes(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	first, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: 25})
	existing := first.Steps[0].Object.(*appsv1.Deployment)
	existing.ResourceVersion = "9"

	plan, err := planCanary(newRelease(stable, existing), CanaryRequest{Images: images("web:2"), Weight: 50})
	if err != nil {
		t.Fatal(err)
	}
	step := plan.Steps[0]
	if step.Action != plans.Patch || step.Operation != "scaled" {
		t.Fatalf("want a scale patch, got %+v", step)
	}
	for _, want := range []string{`"replicas":3`, `"resourceVersion":"9"`, `"kubectl-ship.dev/weight":"50"`} {
		if !strings.Contains(string(step.Patch), want) {
			t.Errorf("patch %s lacks %s", step.Patch, want)
		}
	}
}

func TestPlanCanaryErrors(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	running, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2")})
	existing := running.Steps[0].Object.(*appsv1.Deployment)
	twoContainers := fixture.NewDeployment("web").WithContainer("proxy", "envoy:1").V()
	routedTrack := newRelease(stable, nil)
	routedTrack.Services[0].Spec.Selector = map[string]string{"app": "web", "track": "stable"}

	tests := []struct {
		name string
		rel  *release.Release
		req  CanaryRequest
		want string
	}{
		{"same image", newRelease(stable, nil), CanaryRequest{Images: images("web:1")}, "already runs web=web:1"},
		{"unknown container", newRelease(stable, nil), CanaryRequest{Images: images("db=pg:2")}, `container "db" not found: the pods have 1 container (web)`},
		{"unnamed image, two containers", newRelease(twoContainers, nil), CanaryRequest{Images: images("web:2")}, "name one as CONTAINER=IMAGE"},
		{"other image without --replace", newRelease(stable, existing), CanaryRequest{Images: images("web:3")}, "pass --replace"},
		{"weight of nothing", newRelease(fixture.NewDeployment("web").WithReplicas(0).V(), nil), CanaryRequest{Images: images("web:2"), Weight: 10}, "has 0 replicas"},
		{"exact weight unreachable", newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: 20, Exact: true},
			"--exact: weight 20% cannot be reached beside 3 stable pods (closest: 25.0% with 1 canary pod); 4 stable and 1 canary pod give it exactly: scale the release first ('kubectl ship scale web --replicas 4')"},
		{"weight far from reachable", newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: 10},
			"weight 10% cannot be reached beside 3 stable pods (closest: 25.0% with 1 canary pod); 9 stable and 1 canary pod give it exactly"},
		{"weight within 5 points is no error", newRelease(fixture.NewDeployment("web").WithReplicas(4).V(), nil), CanaryRequest{Images: images("web:2"), Weight: 25}, ""},
		{"more canary than stable pods", newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: 75},
			"weight 75% needs more canary pods than stable ones (9 beside 3): give the canary's size with --replicas 9"},
		{"service selects the only label to vary", routedTrack, CanaryRequest{Images: images("web:2")}, `selects on "track"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planCanary(tt.rel, tt.req)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPlanCanaryReplaceRollsTheCanary(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	running, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2")})
	existing := running.Steps[0].Object.(*appsv1.Deployment)
	plan, err := planCanary(newRelease(stable, existing), CanaryRequest{Images: images("web:3"), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if step := plan.Steps[0]; step.Operation != "configured" || !strings.Contains(string(step.Patch), `"image":"web:3"`) {
		t.Errorf("want the canary rolled to web:3, got %s %s", step.Operation, step.Patch)
	}
}

func TestStickyAndRestore(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	rel := newRelease(stable, nil)
	rel.Services[0].Annotations = map[string]string{"owner": "team-a"}
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Sticky: true, StickySeconds: 600})
	if err != nil {
		t.Fatal(err)
	}
	sticky := plan.Steps[1].Object.(*corev1.Service)
	if sticky.Spec.SessionAffinity != corev1.ServiceAffinityClientIP || *sticky.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds != 600 {
		t.Fatalf("service not made sticky: %+v", sticky.Spec)
	}
	if got := sticky.Annotations[release.AnnotationSavedAffinity]; got != `{"sessionAffinity":"None"}` {
		t.Errorf("saved affinity = %s", got)
	}
	// A second run keeps the setting saved by the first.
	sticky.ResourceVersion = "4"
	if step, err := stickyStep(sticky, 600); err != nil || step != nil {
		t.Errorf("re-applying the same affinity should be a no-op: %v %v", step, err)
	}

	restore, err := restoreStep(sticky)
	if err != nil {
		t.Fatal(err)
	}
	restored := restore.Object.(*corev1.Service)
	if restored.Spec.SessionAffinity != corev1.ServiceAffinityNone || restored.Spec.SessionAffinityConfig != nil {
		t.Errorf("affinity not restored: %+v", restored.Spec)
	}
	if !strings.Contains(string(restore.Patch), `"annotations":{"kubectl-ship.dev/saved-affinity":null}`) || restored.Annotations["owner"] != "team-a" {
		t.Errorf("restore should drop the annotation: %s", restore.Patch)
	}
}

func TestPlanPromote(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	running, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2")})
	canary := running.Steps[0].Object.(*appsv1.Deployment)

	plan, err := planPromote(newRelease(stable, canary))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range plan.Steps {
		actions = append(actions, string(s.Action))
	}
	if got := strings.Join(actions, ","); got != "patch,wait,delete" {
		t.Fatalf("steps = %s, want patch,wait,delete", got)
	}
	promoted := plan.Steps[0].Object.(*appsv1.Deployment)
	if promoted.Spec.Template.Spec.Containers[0].Image != "web:2" || promoted.Spec.Template.Labels["track"] != "stable" {
		t.Errorf("promoted template: image %s, labels %v", promoted.Spec.Template.Spec.Containers[0].Image, promoted.Spec.Template.Labels)
	}

	// Interrupted after the patch: the re-run only waits and cleans up, and
	// abort refuses to pretend the stable Deployment was untouched.
	rolled := promoted.DeepCopy()
	plan, err = planPromote(newRelease(rolled, canary))
	if err != nil || plan.Steps[0].Action != plans.Wait {
		t.Fatalf("re-run after the patch: %+v %v", plan.Steps, err)
	}
	if _, err := planAbort(newRelease(rolled, canary)); err == nil || !strings.Contains(err.Error(), "a promote was started") {
		t.Errorf("abort mid-promote: %v", err)
	}
}

func TestPlanPromoteErrors(t *testing.T) {
	stable := fixture.NewDeployment("web").Paused().V()
	canary := fixture.NewDeployment("web-canary").WithImage("web:2").WithReplicas(1).V()
	if _, err := planPromote(newRelease(stable, canary)); err == nil || !strings.Contains(err.Error(), "kubectl rollout resume deployment/web") {
		t.Errorf("paused: %v", err)
	}
	if _, err := planPromote(newRelease(fixture.NewDeployment("web").V(), nil)); err == nil || !strings.Contains(err.Error(), "no canary to promote") {
		t.Errorf("no canary: %v", err)
	}
}

func TestPlanAbort(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	plan, err := planAbort(newRelease(stable, nil))
	if err != nil || plan.Writes() || plan.Notes[0] != "deployment web has no canary: nothing to abort" {
		t.Fatalf("abort without canary: %+v %v", plan, err)
	}
	canary := fixture.NewDeployment("web-canary").WithImage("web:2").WithReplicas(1).V()
	canary.Labels = map[string]string{release.LabelRelease: "web", release.LabelRole: release.RoleCanary}
	canary.Spec.Replicas = ptr.To[int32](1)
	plan, err = planAbort(newRelease(stable, canary))
	if err != nil || len(plan.Steps) != 1 || plan.Steps[0].Action != plans.Delete || plan.Steps[0].Object != canary {
		t.Fatalf("abort: %+v %v", plan.Steps, err)
	}
}
