package strategy

import (
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func statefulRequest(image string, replicas, weight int32) CanaryRequest {
	return CanaryRequest{Images: []Image{{Image: image}}, Replicas: replicas, Weight: weight, WeightSet: weight != 0}
}

// patched is the StatefulSet a plan's first step leaves.
func patched(t *testing.T, plan plans.Plan) *appsv1.StatefulSet {
	t.Helper()
	if len(plan.Steps) == 0 || plan.Steps[0].Action != plans.Patch {
		t.Fatalf("want a patch first, got %s", actions(plan))
	}
	if !strings.Contains(string(plan.Steps[0].Patch), `"resourceVersion":"7"`) {
		t.Errorf("the patch is not made against the StatefulSet as read: %s", plan.Steps[0].Patch)
	}
	return plan.Steps[0].Object.(*appsv1.StatefulSet)
}

func TestPlanStatefulCanary(t *testing.T) {
	tests := []struct {
		name          string
		sts           *appsv1.StatefulSet
		req           CanaryRequest
		wantPartition int32
		wantRecorded  int32 // the partition the record keeps
		wantNote      string
	}{
		{"one pod by default", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 0, 0), 3, 0, "weight 25.0%: 1 canary pod beside 3 stable (pod db-3 of statefulset db)"},
		{"replicas", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 2, 0), 2, 0, "(pods db-2 to db-3 of statefulset db)"},
		{"weight as a share of the pods", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 0, 50), 2, 0, "weight 50.0%: 2 canary pods beside 2 stable"},
		{"the user's partition is recorded", fixture.NewStatefulSet("db").WithReplicas(5).WithPartition(1).V(), statefulRequest("db:2", 3, 0), 2, 1, "pods db-2 to db-4"},
		{"a resize keeps the first record", statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).WithPartition(1).V(), "db:2", 1), statefulRequest("db:2", 2, 0), 2, 1, "2 canary pods"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := planStatefulCanary(tc.sts, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := actions(plan); got != "patch sts/db, wait sts/db" {
				t.Fatalf("steps = %s", got)
			}
			next := patched(t, plan)
			if got := release.Partition(next); got != tc.wantPartition {
				t.Errorf("partition = %d, want %d", got, tc.wantPartition)
			}
			if got := next.Spec.Template.Spec.Containers[0].Image; got != "db:2" {
				t.Errorf("image = %s", got)
			}
			rec, err := release.StatefulCanary(next)
			if err != nil || rec == nil {
				t.Fatalf("no record: %v", err)
			}
			if rec.Partition != tc.wantRecorded || rec.Template.Spec.Containers[0].Image != "db:1" {
				t.Errorf("record = partition %d, image %s; want %d, db:1", rec.Partition, rec.Template.Spec.Containers[0].Image, tc.wantRecorded)
			}
			if !strings.Contains(strings.Join(plan.Notes, "\n"), tc.wantNote) {
				t.Errorf("notes %q lack %q", plan.Notes, tc.wantNote)
			}
		})
	}
}

func TestPlanStatefulCanaryAgainChangesNothing(t *testing.T) {
	sts := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	plan, err := planStatefulCanary(sts, statefulRequest("db:2", 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Writes() || actions(plan) != "wait sts/db" || !strings.Contains(strings.Join(plan.Notes, "\n"), "already at 25.0%: nothing to change") {
		t.Errorf("a re-run should only wait and say so: %s %q", actions(plan), plan.Notes)
	}
}

func TestPlanStatefulCanaryRefusals(t *testing.T) {
	tests := []struct {
		name string
		sts  *appsv1.StatefulSet
		req  CanaryRequest
		want string
	}{
		{"OnDelete", fixture.NewStatefulSet("db").WithReplicas(4).OnDelete().V(), statefulRequest("db:2", 1, 0), "updateStrategy is OnDelete"},
		{"more pods than it has", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 5, 0), "a canary of 5 pods is too large for statefulset db of 4 pods: at most 3"},
		{"every pod", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 4, 0), "at most 3, since one pod stays stable"},
		{"below the user's partition", fixture.NewStatefulSet("db").WithReplicas(4).WithPartition(2).V(), statefulRequest("db:2", 3, 0), "its partition 2 keeps the ordinals below it"},
		{"one pod", fixture.NewStatefulSet("db").WithReplicas(1).V(), statefulRequest("db:2", 0, 0), "a canary needs at least 2"},
		{"weight not reachable", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:2", 0, 10), "weight 10% cannot be reached with the 4 pods"},
		{"weight zero", fixture.NewStatefulSet("db").WithReplicas(4).V(), CanaryRequest{Images: []Image{{Image: "db:2"}}, WeightSet: true}, "--weight must be between 1 and 99"},
		{"the same image", fixture.NewStatefulSet("db").WithReplicas(4).V(), statefulRequest("db:1", 1, 0), "already runs db=db:1"},
		{"unknown container", fixture.NewStatefulSet("db").WithReplicas(4).V(), CanaryRequest{Images: []Image{{Container: "x", Image: "db:2"}}}, `container "x" not found`},
		{"a rollout under way", fixture.NewStatefulSet("db").WithReplicas(4).Rolling(1).V(), statefulRequest("db:2", 1, 0), "rollout is in progress"},
		{"another canary", statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1), statefulRequest("db:3", 1, 0), "already runs a canary of db=db:2, not db=db:3: pass --replace"},
		{"a header without a route", fixture.NewStatefulSet("db").WithReplicas(4).V(), CanaryRequest{Images: []Image{{Image: "db:2"}}, Cookie: "beta"}, "--header and --cookie need a route"},
		{"sticky", fixture.NewStatefulSet("db").WithReplicas(4).V(), CanaryRequest{Images: []Image{{Image: "db:2"}}, Sticky: true}, "--sticky"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planStatefulCanary(tc.sts, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPlanStatefulPromote(t *testing.T) {
	sts := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).WithPartition(1).V(), "db:2", 2)
	plan, err := planStatefulPromote(sts)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch sts/db, wait sts/db" {
		t.Fatalf("steps = %s", got)
	}
	next := patched(t, plan)
	if release.Partition(next) != 1 || next.Spec.Template.Spec.Containers[0].Image != "db:2" {
		t.Errorf("promote should keep the canary's template and put the user's partition 1 back: partition %d, %s", release.Partition(next), next.Spec.Template.Spec.Containers[0].Image)
	}
	if _, ok := next.Annotations[release.AnnotationStatefulCanary]; ok {
		t.Error("the record is left behind")
	}

	absent := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	absent.Annotations[release.AnnotationStatefulCanary] = `{"template":{},"partition":0,"noRollingUpdate":true}`
	if plan, err = planStatefulPromote(absent); err != nil || patched(t, plan).Spec.UpdateStrategy.RollingUpdate != nil {
		t.Errorf("a rollingUpdate the user had not set should be unset again (err %v)", err)
	}

	var nothing *plans.NothingLeftError
	if _, err := planStatefulPromote(fixture.NewStatefulSet("db").WithReplicas(4).V()); !errors.As(err, &nothing) || !strings.Contains(err.Error(), "no canary to promote") {
		t.Errorf("err = %v", err)
	}
}

func TestPlanStatefulAbort(t *testing.T) {
	sts := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	stable := fixture.NewStatefulSet("db").WithReplicas(4).V()
	plan, err := planStatefulAbort(sts, []corev1.Pod{statefulPod(sts, 0, "db-1", true), statefulPod(sts, 3, "db-2", true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch sts/db, wait sts/db" {
		t.Fatalf("a Ready canary pod needs no forced rollback: %s", got)
	}
	next := patched(t, plan)
	if next.Spec.Template.Spec.Containers[0].Image != "db:1" || release.Partition(next) != 0 || next.Annotations[release.AnnotationStatefulCanary] != "" {
		t.Errorf("abort should put the template and partition back and drop the record: %+v", next.Spec)
	}
	if !apiequality.Semantic.DeepEqual(next.Spec.Template, stable.Spec.Template) {
		t.Errorf("the template is not restored exactly:\n%+v\nwant\n%+v", next.Spec.Template, stable.Spec.Template)
	}

	var nothing *plans.NothingLeftError
	if _, err := planStatefulAbort(stable, nil); !errors.As(err, &nothing) {
		t.Errorf("err = %v, want nothing left", err)
	}
}

func TestPlanStatefulAbortForcedRollback(t *testing.T) {
	sts := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:crash", 2)
	other := fixture.NewStatefulSet("other").WithImage("db:1").WithReplicas(4).V()
	pods := []corev1.Pod{
		statefulPod(sts, 1, "db-1", false),   // stable, not Ready: not the canary's
		statefulPod(sts, 2, "db-2", true),    // canary, Ready: the controller rolls it back
		statefulPod(sts, 3, "db-2", false),   // canary, not Ready: blocks the rollback
		statefulPod(other, 3, "db-2", false), // another owner's
	}
	plan, err := planStatefulAbort(sts, pods)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "patch sts/db, delete pod/db-3, wait sts/db" {
		t.Errorf("steps = %s", got)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "forced rollback: pod db-3 (revision db-2) is not Ready") {
		t.Errorf("the deletion is not announced: %q", plan.Notes)
	}
	// Interrupted after the patch, abort still deletes it.
	restored := fixture.NewStatefulSet("db").WithReplicas(4).V()
	if plan, err = planStatefulAbort(restored, pods[2:3]); err != nil || actions(plan) != "delete pod/db-3, wait sts/db" {
		t.Errorf("after the patch: %s, %v", actions(plan), err)
	}
	if plan, err = planStatefulAbort(statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).Parallel().V(), "db:crash", 1), pods); err != nil || actions(plan) != "patch sts/db, wait sts/db" {
		t.Errorf("under Parallel the controller rolls back by itself: %s, %v", actions(plan), err)
	}
}
