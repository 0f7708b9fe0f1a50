package strategy

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// statefulProgression plans canary --steps on sts from the record rec.
func statefulProgression(t *testing.T, sts *appsv1.StatefulSet, pods []corev1.Pod, steps string, rec *release.Progression) (plans.Plan, error) {
	t.Helper()
	parsed, err := ParseSteps(steps)
	if err != nil {
		t.Fatal(err)
	}
	return Canary{Request: CanaryRequest{Images: images("db:2")}, Progression: &Progression{Steps: parsed, Interval: time.Minute}}.
		Plan(&plans.Snapshot{StatefulSet: sts, Pods: pods, Progression: rec})
}

// A StatefulSet's progression moves the partition step by step, holds the
// StatefulSet (its update revision is the canary), then promotes.
func TestStatefulProgressionWalksItsSteps(t *testing.T) {
	first, err := statefulProgression(t, fixture.NewStatefulSet("db").WithReplicas(4).V(), nil, "25,50", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(first); got != "patch sts/db, wait sts/db, hold sts/db" || !first.Continue {
		t.Fatalf("first step: %s (continue %v)", got, first.Continue)
	}
	if !strings.HasPrefix(first.Notes[0], "progression: 1 25% (1 canary pod) held 1m0s; 2 50% (2 canary pods) held 1m0s; then promote") {
		t.Errorf("the schedule is told first: %q", first.Notes[0])
	}
	held := first.Steps[2]
	if sts := held.Object.(*appsv1.StatefulSet); release.Partition(sts) != 3 || sts.Spec.Template.Spec.Containers[0].Image != "db:2" {
		t.Errorf("the hold judges the StatefulSet as the patch leaves it: partition %d, %s", release.Partition(sts), sts.Spec.Template.Spec.Containers[0].Image)
	}
	if p := held.Progression; p.Step != 0 || p.Weight() != 25 || p.Phase != release.ProgressionRunning {
		t.Errorf("the hold records step 1: %+v", p)
	}

	// Interrupted in the hold of step 1: held again, nothing written.
	at25 := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 1)
	again, err := statefulProgression(t, at25, nil, "25,50", held.Progression)
	if err != nil || actions(again) != "wait sts/db, hold sts/db" {
		t.Fatalf("resumed in the hold: %s %v", actions(again), err)
	}
	// Step 1 held: the partition moves to 2.
	rec := *held.Progression
	rec.Held = true
	next, err := statefulProgression(t, at25, nil, "25,50", &rec)
	if err != nil || actions(next) != "patch sts/db, wait sts/db, hold sts/db" || next.Steps[2].Progression.Step != 1 {
		t.Fatalf("step 2: %s %v", actions(next), err)
	}
	if p := release.Partition(patched(t, next)); p != 2 {
		t.Errorf("step 2's partition = %d, want 2", p)
	}
	// The last step held: promote (the user's partition back, the record
	// gone), recorded promoted.
	at50 := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).V(), "db:2", 2)
	last := *next.Steps[2].Progression
	last.Held = true
	end, err := statefulProgression(t, at50, nil, "25,50", &last)
	if err != nil || actions(end) != "patch sts/db, wait sts/db" || end.Continue || end.Progression.Phase != release.ProgressionPromoted {
		t.Fatalf("promotion: %s %v", actions(end), err)
	}
	if sts := patched(t, end); release.Partition(sts) != 0 || sts.Annotations[release.AnnotationStatefulCanary] != "" {
		t.Errorf("promoted: partition %d, record %q", release.Partition(sts), sts.Annotations[release.AnnotationStatefulCanary])
	}
	// Killed after the promotion's write: only the record is left.
	promoted := fixture.NewStatefulSet("db").WithImage("db:2").WithReplicas(4).V()
	done, err := statefulProgression(t, promoted, nil, "25,50", &last)
	if err != nil || len(done.Steps) != 0 || done.Progression.Phase != release.ProgressionPromoted {
		t.Fatalf("after the promotion: %s %+v %v", actions(done), done.Progression, err)
	}
}

func TestStatefulProgressionRefusesAnUnreachableStep(t *testing.T) {
	_, err := statefulProgression(t, fixture.NewStatefulSet("db").WithReplicas(4).V(), nil, "10,50", nil)
	if err == nil || !strings.Contains(err.Error(), "step 10%: weight 10% cannot be reached with the 4 pods of statefulset db") {
		t.Errorf("an unreachable step must be refused before anything starts: %v", err)
	}
}

// A gate's failure rolls the StatefulSet back exactly as abort does: the
// template and the partition back, a canary pod that is not Ready deleted
// under OrderedReady; and abort from another shell ends the progression.
func TestStatefulProgressionRollsBackAsAbort(t *testing.T) {
	sts := statefulCanary(fixture.NewStatefulSet("db").WithReplicas(4).WithPartition(1).V(), "db:2", 2)
	pods := []corev1.Pod{statefulPod(sts, 0, "db-1", true), statefulPod(sts, 1, "db-1", true), statefulPod(sts, 2, "db-2", false), statefulPod(sts, 3, "db-2", true)}
	steps, _ := ParseSteps("25,50")
	running := &release.Progression{Images: []string{"db:2"}, Steps: []string{"25", "50"}, Step: 1, Phase: release.ProgressionRunning}
	p := Canary{Request: CanaryRequest{Images: images("db:2")}, Progression: &Progression{Steps: steps}}
	plan, err := p.Recover(&plans.Snapshot{StatefulSet: sts, Pods: pods, Progression: running}, plans.Failure{Err: errString("pods: canary pod db-2 not Ready"), Gate: true})
	if err != nil || actions(plan) != "patch sts/db, delete pod/db-2, wait sts/db" {
		t.Fatalf("recover: %s %v", actions(plan), err)
	}
	back := patched(t, plan)
	if back.Spec.Template.Spec.Containers[0].Image != "db:1" || release.Partition(back) != 1 {
		t.Errorf("rolled back to %s, partition %d: want db:1, the user's partition 1", back.Spec.Template.Spec.Containers[0].Image, release.Partition(back))
	}
	if pr := plan.Progression; pr.Phase != release.ProgressionRolledBack || pr.Step != 1 || pr.Reason != "pods: canary pod db-2 not Ready" {
		t.Errorf("the record: %+v", pr)
	}

	aborted, err := Abort{}.Plan(&plans.Snapshot{StatefulSet: sts, Pods: pods, Progression: running})
	if err != nil || actions(aborted) != actions(plan) || aborted.Progression.Phase != release.ProgressionRolledBack || aborted.Progression.Reason != "aborted" {
		t.Fatalf("abort: %s %+v %v", actions(aborted), aborted.Progression, err)
	}
	promoted, err := Promote{}.Plan(&plans.Snapshot{StatefulSet: sts, Pods: pods, Progression: running})
	if err != nil || promoted.Progression.Phase != release.ProgressionPromoted {
		t.Fatalf("promote by hand ends the progression promoted: %+v %v", promoted.Progression, err)
	}
}
