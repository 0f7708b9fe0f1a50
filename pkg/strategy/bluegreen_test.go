package strategy

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func actions(p plans.Plan) string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, string(s.Action)+" "+objectName(s.Object))
	}
	return strings.Join(out, ", ")
}

func objectName(obj any) string {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return o.Name
	case *corev1.Service:
		return "svc/" + o.Name
	case *appsv1.StatefulSet:
		return "sts/" + o.Name
	case *appsv1.DaemonSet:
		return "ds/" + o.Name
	case *corev1.Pod:
		return "pod/" + o.Name
	case *networkingv1.Ingress:
		return "ing/" + o.Name
	case *unstructured.Unstructured:
		return strings.ToLower(o.GetKind()) + "/" + o.GetName()
	}
	return "?"
}

// versioned is blue in the seed's blue-green layout: pods labelled version.
func versioned() *appsv1.Deployment {
	d := fixture.NewDeployment("web").WithImage("web:1.0.0").V()
	d.Spec.Template.Labels["version"] = "1.0.0"
	return d
}

func TestPlanBlueGreenFirstReleaseUsesTheVersionLabel(t *testing.T) {
	rel := newRelease(versioned(), nil)
	plan, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:2.0.0")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch svc/web, create web-green, wait web-green" {
		t.Fatalf("steps: %s", got)
	}
	if svc := plan.Steps[0].Object.(*corev1.Service); svc.Spec.Selector["version"] != "1.0.0" {
		t.Errorf("the Service should select blue by version: %v", svc.Spec.Selector)
	}
	green := plan.Steps[1].Object.(*appsv1.Deployment)
	if green.Spec.Template.Labels["version"] != "2.0.0" || green.Annotations[release.AnnotationColorKey] != "version" {
		t.Errorf("green labels %v, annotations %v", green.Spec.Template.Labels, green.Annotations)
	}
	if got := metav1.FormatLabelSelector(green.Spec.Selector); got != "app=web,kubectl-ship.dev/color=green" {
		t.Errorf("green selector = %s", got)
	}
	if !strings.Contains(plan.Notes[0], "request no CPU or memory") {
		t.Errorf("capacity note: %v", plan.Notes)
	}
}

func TestPlanBlueGreenFirstReleaseLabelsBlue(t *testing.T) {
	rel := newRelease(fixture.NewDeployment("web").V(), nil)
	plan, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:2")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch web, wait web, patch svc/web, create web-green, wait web-green" {
		t.Fatalf("steps: %s", got)
	}
	if !strings.Contains(plan.Notes[0], "its pods restart through a rolling update") {
		t.Errorf("the restart of blue must be announced: %v", plan.Notes)
	}
}

// A first release interrupted during blue's rolling update left the color
// label in blue's template: the re-run waits for that update before the
// Services select on the label, or they would route to the updated pods only.
func TestPlanBlueGreenResumedWaitsForBlue(t *testing.T) {
	blue := fixture.NewDeployment("web").V()
	blue.Spec.Template.Labels[release.LabelColor] = "blue"
	blue.Generation = 2
	blue.Status = appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 1, AvailableReplicas: 3}
	plan, err := planBlueGreen(newRelease(blue, nil), BlueGreenRequest{Images: images("web:2")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "wait web, patch svc/web, create web-green, wait web-green" {
		t.Fatalf("steps: %s", got)
	}
}

// greenRelease is the state after a first release: green runs 2.0.0 and the
// Service routes to serving by version.
func greenRelease(serving release.Color) *release.Release {
	blue := versioned()
	first, _ := planBlueGreen(newRelease(blue, nil), BlueGreenRequest{Images: images("web:2.0.0")}, nil)
	rel := newRelease(blue, nil)
	rel.Green = first.Steps[1].Object.(*appsv1.Deployment)
	rel.Green.ResourceVersion = "5"
	rel.Green.Status = appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3, ReadyReplicas: 3}
	rel.Services[0].Spec.Selector["version"] = rel.Deployment(serving).Spec.Template.Labels["version"]
	return rel
}

func TestPlanBlueGreenNextReleaseRollsTheIdleColor(t *testing.T) {
	rel := greenRelease(release.Green)
	plan, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:3.0.0")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch web-green, patch web, wait web" {
		t.Fatalf("steps: %s", got)
	}
	if recorded := plan.Steps[0].Object.(*appsv1.Deployment).Annotations[release.AnnotationNewColor]; recorded != "blue" {
		t.Errorf("green should record that the next switch goes to blue, not %q", recorded)
	}
	blue := plan.Steps[1].Object.(*appsv1.Deployment)
	if blue.Spec.Template.Labels["version"] != "3.0.0" || blue.Spec.Template.Labels[release.LabelColor] != "" {
		t.Errorf("blue keeps its own labels with the new version: %v", blue.Spec.Template.Labels)
	}
	if rel.Stable.Spec.Template.Labels["version"] != "1.0.0" {
		t.Error("planning changed the snapshot")
	}
}

func TestPlanSwitch(t *testing.T) {
	rel := greenRelease(release.Blue)
	plan, err := planSwitch(rel, "", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch svc/web, wait svc/web" || plan.Steps[0].Operation != "switched to green" {
		t.Fatalf("steps: %s (%s)", got, plan.Steps[0].Operation)
	}
	if !strings.Contains(string(plan.Steps[0].Patch), `"version":"2.0.0"`) {
		t.Errorf("patch: %s", plan.Steps[0].Patch)
	}

	plan, err = planSwitch(rel, release.Blue, false, 0)
	if err != nil || plan.Writes() || !strings.Contains(plan.Notes[0], "already routes to blue") {
		t.Errorf("switch to the serving color: %+v %v", plan, err)
	}
}

// Run again after an interruption, a switch finishes instead of toggling:
// it goes where the last bluegreen pointed, whatever serves now.
func TestPlanSwitchAgainConverges(t *testing.T) {
	rel := greenRelease(release.Green) // the first run switched, then died
	plan, err := planSwitch(rel, "", false, 0)
	if err != nil || plan.Writes() || !strings.Contains(plan.Notes[0], "already routes to green") {
		t.Fatalf("re-run: %+v %v", plan, err)
	}
	two := greenRelease(release.Blue) // two Services, the first one switched
	switched := two.Services[0].DeepCopy()
	switched.Name, switched.Spec.Selector["version"] = "web-2", "2.0.0"
	two.Services = append(two.Services, switched)
	plan, err = planSwitch(two, "", false, 0)
	if err != nil || actions(plan) != "patch svc/web, wait svc/web" {
		t.Fatalf("half-switched services: %s %v", actions(plan), err)
	}
}

func TestPlanSwitchRefusesAColorThatIsNotReady(t *testing.T) {
	rel := greenRelease(release.Blue)
	rel.Green.Status.AvailableReplicas = 1
	if _, err := planSwitch(rel, "", false, 0); err == nil || !strings.Contains(err.Error(), "green is not ready: Waiting for deployment \"web-green\" rollout to finish: 1 of 3 updated replicas are available") {
		t.Fatalf("err = %v", err)
	}
	plan, err := planSwitch(rel, "", true, 0)
	if err != nil || !strings.Contains(plan.Notes[0], "--force") {
		t.Fatalf("--force: %+v %v", plan.Notes, err)
	}
}

func TestPlanSwitchNeverToAColorWithoutPods(t *testing.T) {
	rel := greenRelease(release.Blue)
	rel.Green.Spec.Replicas = new(int32)
	for _, force := range []bool{false, true} {
		if _, err := planSwitch(rel, "", force, 0); err == nil || !strings.Contains(err.Error(), "has 0 replicas: bring it up first") {
			t.Errorf("force=%v: %v", force, err)
		}
	}
}

func TestPlanCleanup(t *testing.T) {
	plan, err := planCleanup(greenRelease(release.Blue), false)
	if err != nil || actions(plan) != "patch web-green" || !strings.Contains(string(plan.Steps[0].Patch), `"replicas":0`) {
		t.Fatalf("cleanup: %s %v", actions(plan), err)
	}
	plan, err = planCleanup(greenRelease(release.Blue), true)
	if err != nil || actions(plan) != "delete web-green" {
		t.Fatalf("cleanup --delete: %s %v", actions(plan), err)
	}
	// Green serves: blue takes green's template and the traffic back first.
	// The version label is the same on both, so the Service keeps its
	// selector and simply loses green's pods.
	serving := greenRelease(release.Green)
	plan, err = planCleanup(serving, true)
	if err != nil || actions(plan) != "patch web, wait web, delete web-green" {
		t.Fatalf("cleanup --delete while green serves: %s %v", actions(plan), err)
	}
	blue := plan.Steps[0].Object.(*appsv1.Deployment)
	if blue.Spec.Template.Spec.Containers[0].Image != "web:2.0.0" || blue.Spec.Template.Labels["version"] != "2.0.0" || blue.Spec.Template.Labels[release.LabelColor] != "" {
		t.Errorf("blue should run green's template under its own labels: %v %v", blue.Spec.Template.Spec.Containers[0].Image, blue.Spec.Template.Labels)
	}
	// Interrupted after blue took the template: both colors match the
	// Service, and the hand-back goes on.
	serving.Stable = blue
	if plan, err = planCleanup(serving, true); err != nil || actions(plan) != "wait web, delete web-green" {
		t.Fatalf("cleanup --delete again: %s %v", actions(plan), err)
	}
	// An interrupted --delete removed green but not yet its preview.
	rel := newRelease(versioned(), nil)
	rel.Preview = &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web-preview"}}
	if plan, err := planCleanup(rel, true); err != nil || actions(plan) != "delete svc/web-preview" {
		t.Fatalf("cleanup --delete without green: %s %v", actions(plan), err)
	}
	if plan, err := planCleanup(rel, false); err != nil || len(plan.Steps) != 0 {
		t.Fatalf("cleanup without --delete keeps the preview: %s %v", actions(plan), err)
	}
}

func TestCapacityNote(t *testing.T) {
	d := fixture.NewDeployment("web").V()
	d.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi"),
	}
	node := corev1.Node{Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi"),
	}}}
	got := capacityNote(d, []corev1.Node{node})
	want := "note: blue-green needs twice the capacity: 3 more pods run beside the 3 serving ones until cleanup; both colors together request 3 CPU and 6Gi memory, of 2 CPU and 8Gi allocatable on 1 nodes: more than the nodes have, so some pods will stay Pending"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// With --scale-down-delay the switch stays, then scales the color that
// stopped serving to zero.
func TestPlanSwitchWithScaleDownDelay(t *testing.T) {
	plan, err := planSwitch(greenRelease(release.Blue), "", false, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch svc/web, wait svc/web, stay ?, patch web" {
		t.Fatalf("steps: %s", got)
	}
	if blue := plan.Steps[3].Object.(*appsv1.Deployment); *blue.Spec.Replicas != 0 || plan.Steps[2].Duration != time.Minute {
		t.Errorf("blue should be scaled to 0 after a minute: %d after %s", *blue.Spec.Replicas, plan.Steps[2].Duration)
	}
}

// A tag that cannot be a label value ("2.0.", 64 characters) makes the
// first release switch on ship's color label; once the Services switch on
// the version label, such a tag is refused before any write.
func TestPlanBlueGreenTagsThatCannotBeLabels(t *testing.T) {
	for _, tag := range []string{"2.0.", strings.Repeat("9", 64)} {
		rel := newRelease(versioned(), nil)
		plan, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:" + tag)}, nil)
		if err != nil {
			t.Fatalf("tag %q: %v", tag, err)
		}
		green := plan.Steps[len(plan.Steps)-2].Object.(*appsv1.Deployment)
		if green.Annotations[release.AnnotationColorKey] != release.LabelColor {
			t.Errorf("tag %q: green switches on %q, want ship's color label", tag, green.Annotations[release.AnnotationColorKey])
		}
		if err := plans.Validate(plan); err != nil {
			t.Errorf("tag %q: the plan must be valid: %v", tag, err)
		}
	}
	rel := greenRelease(release.Green) // switching on version: blue is idle
	if _, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:2.0.")}, nil); err == nil ||
		!strings.Contains(err.Error(), `the new image's tag "2.0." cannot be its value`) {
		t.Errorf("a tag that cannot be the version label: %v", err)
	}
}

// The preview Service's name is checked: a release name with a dot gives
// no Service name, and the flag that names one is said.
func TestPreviewName(t *testing.T) {
	d := versioned()
	d.Name = "web.v1"
	rel := newRelease(d, nil)
	if _, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:2.0.0"), Preview: true}, nil); err == nil ||
		!strings.Contains(err.Error(), `the preview Service cannot be named "web.v1-preview"`) || !strings.Contains(err.Error(), "--preview-service-name") {
		t.Errorf("dotted name: %v", err)
	}
	if _, err := planBlueGreen(rel, BlueGreenRequest{Images: images("web:2.0.0"), Preview: true, PreviewName: "web-v1-try"}, nil); err != nil {
		t.Errorf("named preview: %v", err)
	}
}

func TestChooseColorKeySaysWhyNotTheVersionLabel(t *testing.T) {
	versioned := func() *appsv1.Deployment {
		d := fixture.NewDeployment("web").WithImage("example/web:1.0.0").V()
		d.Spec.Template.Labels["version"] = "1.0.0"
		return d
	}
	inSelector := versioned()
	inSelector.Spec.Selector.MatchLabels["version"] = "1.0.0"
	for _, tc := range []struct {
		name       string
		blue       *appsv1.Deployment
		image      string
		key, wants string
	}{
		{"a new tag", versioned(), "example/web:2.0.0", "version", ""},
		{"no version label", fixture.NewDeployment("web").WithImage("example/web:1.0.0").V(), "example/web:2.0.0", release.LabelColor, "blue's pods carry no version label"},
		{"the same tag", versioned(), "other/web:1.0.0", release.LabelColor, "blue's pods carry version=1.0.0, and the new image's tag is 1.0.0 too"},
		{"no tag", versioned(), "example/web@sha256:" + strings.Repeat("a", 64), release.LabelColor, "but the new image has no tag"},
		{"in the selector", inSelector, "example/web:2.0.0", release.LabelColor, "deployment web's selector holds it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			images, err := ParseImages([]string{tc.image})
			if err != nil {
				t.Fatal(err)
			}
			key, why := chooseColorKey(tc.blue, images)
			if key != tc.key || !strings.Contains(why, tc.wants) {
				t.Errorf("got %s (%q), want %s (%q)", key, why, tc.key, tc.wants)
			}
		})
	}
}
