package strategy

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func TestPlanSetImage(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	plan, err := planSetImage(newRelease(stable, nil), images("web:2"))
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch web, wait web" || plan.Steps[0].Operation != "image updated" {
		t.Fatalf("steps: %s (%s)", got, plan.Steps[0].Operation)
	}
	want := `{"metadata":{"resourceVersion":"7"},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"image":"web:2","name":"web"}]}}}}`
	if got := string(plan.Steps[0].Patch); got != want {
		t.Errorf("patch = %s\nwant    %s", got, want)
	}
	if stable.Spec.Template.Spec.Containers[0].Image != "web:1" {
		t.Error("planning changed the snapshot")
	}

	plan, err = planSetImage(newRelease(stable, nil), images("web=web:1"))
	if err != nil || actions(plan) != "wait web" || plan.Notes[0] != "deployment web already runs web=web:1: nothing to change" {
		t.Errorf("the same image should only wait: %s %v %v", actions(plan), plan.Notes, err)
	}
}

func TestPlanSetImageErrors(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	tests := []struct {
		name   string
		rel    *release.Release
		images []Image
		want   string
	}{
		{"canary in place", withCanary(stable, 1, 25), images("web:3"),
			"deployment web has a canary (web-canary): roll the canary to the image with 'kubectl ship canary web --image IMAGE --replace', then 'kubectl ship promote web'; or remove it with 'kubectl ship abort web' first"},
		{"blue-green release", greenRelease(release.Blue), images("web:3"),
			"release web is a blue-green release (deployment web-green exists): release the image with 'kubectl ship bluegreen web --image IMAGE', or end blue-green with 'kubectl ship bluegreen cleanup web --delete' first"},
		{"paused", newRelease(fixture.NewDeployment("web").Paused().V(), nil), images("web:2"),
			"deployment web is paused, so its rolling update would not progress: resume it with 'kubectl rollout resume deployment/web' and try again"},
		{"unknown container", newRelease(stable, nil), images("db=pg:2"),
			`container "db" not found: the pods have 1 container (web)`},
		{"unnamed image, two containers", newRelease(fixture.NewDeployment("web").WithContainer("proxy", "envoy:1").V(), nil), images("web:2"),
			"the pods have 2 containers (proxy, web): name one as CONTAINER=IMAGE (an image without a name is for a pod's one app container)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planSetImage(tt.rel, tt.images)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

// rolledTo is stable after set image to image, with the rollout status given.
func rolledTo(image string, status appsv1.DeploymentStatus, conditions ...appsv1.DeploymentCondition) *appsv1.Deployment {
	d := fixture.NewDeployment("web").WithImage(image).V()
	d.Generation, status.ObservedGeneration = 2, 2
	status.Conditions = conditions
	d.Status = status
	return d
}

func TestRolloutFailed(t *testing.T) {
	stalled := appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 0, AvailableReplicas: 3}
	done := appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3}
	deadline := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Reason: "ProgressDeadlineExceeded"}
	tests := []struct {
		name     string
		d        *appsv1.Deployment
		timedOut bool
		want     bool
	}{
		{"past its progress deadline", rolledTo("web:2", stalled, deadline), false, true},
		{"timed out while stalled", rolledTo("web:2", stalled), true, true},
		{"stalled, but neither deadline passed", rolledTo("web:2", stalled), false, false},
		{"done just as the timeout hit", rolledTo("web:2", done), true, false},
		{"someone set another image since", rolledTo("web:3", stalled, deadline), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rolloutFailed(tt.d, images("web:2"), tt.timedOut); got != tt.want {
				t.Errorf("rolloutFailed = %v, want %v", got, tt.want)
			}
		})
	}
}

// revisionOf is a ReplicaSet of d at revision with image, as the Deployment
// controller makes it, with annotations as pairs of key and value.
func revisionOf(d *appsv1.Deployment, revision, image string, annotations ...string) appsv1.ReplicaSet {
	rs := fixture.NewReplicaSet(d, "hash-"+revision, revision).WithImage(image).V()
	for i := 0; i+1 < len(annotations); i += 2 {
		rs.Annotations[annotations[i]] = annotations[i+1]
	}
	return rs
}

func TestPlanRollback(t *testing.T) {
	d := fixture.NewDeployment("web").WithImage("web:3").V()
	d.Annotations = map[string]string{release.ChangeCauseAnnotation: "release 3"}
	tests := []struct {
		name     string
		sets     []appsv1.ReplicaSet
		revision int64
		image    string
		cause    string // "" when the annotation is to be removed
	}{
		{"the revision before the current one", []appsv1.ReplicaSet{
			revisionOf(d, "1", "web:1"), revisionOf(d, "3", "web:3"), revisionOf(d, "2", "web:2", release.ChangeCauseAnnotation, "release 2"),
		}, 2, "web:2", "release 2"},
		{"the newest one while the controller has not made the new ReplicaSet yet", []appsv1.ReplicaSet{
			revisionOf(d, "1", "web:1"), revisionOf(d, "2", "web:2"),
		}, 2, "web:2", ""},
		{"ReplicaSets without a revision are skipped", []appsv1.ReplicaSet{
			revisionOf(d, "", "web:9"), revisionOf(d, "1", "web:1"), revisionOf(d, "2", "web:3"),
		}, 1, "web:1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := planRollback(d, tt.sets)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("rolled back to revision %d", tt.revision); actions(plan) != "patch web" || plan.Steps[0].Operation != want {
				t.Fatalf("steps %s (%s); want %s", actions(plan), plan.Steps[0].Operation, want)
			}
			next := plan.Steps[0].Object.(*appsv1.Deployment)
			if got := next.Spec.Template.Spec.Containers[0].Image; got != tt.image {
				t.Errorf("image = %s, want %s", got, tt.image)
			}
			if _, ok := next.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; ok {
				t.Error("the pod-template-hash label must not reach the Deployment's template")
			}
			if got := next.Annotations[release.ChangeCauseAnnotation]; got != tt.cause {
				t.Errorf("change cause = %q, want %q", got, tt.cause)
			}
			if patch := string(plan.Steps[0].Patch); !strings.Contains(patch, `"resourceVersion":"7"`) || strings.Contains(patch, "pod-template-hash") {
				t.Errorf("patch = %s", patch)
			}
		})
	}
}

func TestPlanRollbackErrors(t *testing.T) {
	d := fixture.NewDeployment("web").WithImage("web:2").V()
	paused := fixture.NewDeployment("web").WithImage("web:2").Paused().V()
	tests := []struct {
		name string
		d    *appsv1.Deployment
		sets []appsv1.ReplicaSet
		want string
	}{
		{"only the current revision", d, []appsv1.ReplicaSet{revisionOf(d, "1", "web:2")},
			"deployment web has no previous revision to roll back to (its revisionHistoryLimit may have removed it)"},
		{"no ReplicaSets at all", d, nil,
			"deployment web has no previous revision to roll back to (its revisionHistoryLimit may have removed it)"},
		{"paused", paused, []appsv1.ReplicaSet{revisionOf(paused, "1", "web:1"), revisionOf(paused, "2", "web:2")},
			"deployment web is paused, so rolling it back would not progress: resume it with 'kubectl rollout resume deployment/web' and roll back with 'kubectl rollout undo deployment/web'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planRollback(tt.d, tt.sets)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}
