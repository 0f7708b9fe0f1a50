package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// statefulSet is StatefulSet db of replicas running db:2 on partition,
// ready and updated of its pods, on revisions current and update.
func statefulSet(replicas, partition, ready, updated int32, current, update string) *appsv1.StatefulSet {
	sts := fixture.NewStatefulSet("db").WithImage("db:2").WithReplicas(replicas).WithPartition(partition).V()
	sts.Generation = 2
	sts.Status = appsv1.StatefulSetStatus{ObservedGeneration: 2, ReadyReplicas: ready, UpdatedReplicas: updated, CurrentRevision: current, UpdateRevision: update}
	return sts
}

func TestStatefulRolloutStatus(t *testing.T) {
	tests := []struct {
		name string
		sts  *appsv1.StatefulSet
		done bool
		want string
	}{
		{"a canary's pods updated", statefulSet(4, 3, 4, 1, "r1", "r2"), true, "partitioned roll out complete: 1 new pods"},
		{"a canary's pod not ready", statefulSet(4, 3, 3, 1, "r1", "r2"), false, "Waiting for 1 pods to be ready"},
		{"a canary's pods not yet updated", statefulSet(4, 2, 4, 1, "r1", "r2"), false, "1 out of 2 new pods have been updated"},
		{"promoted, the revisions not yet one", statefulSet(4, 0, 4, 4, "r1", "r2"), false, "waiting for statefulset rolling update to complete"},
		{"promoted", statefulSet(4, 0, 4, 4, "r2", "r2"), true, "statefulset rolling update complete 4 pods at revision r2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, done, err := StatefulRolloutStatus(tc.sts)
			if err != nil || done != tc.done || !strings.Contains(msg, tc.want) {
				t.Errorf("got %q, %v, %v; want %q, %v", msg, done, err, tc.want, tc.done)
			}
		})
	}
	stale := statefulSet(4, 0, 4, 4, "r2", "r2")
	stale.Status.ObservedGeneration = 1
	if _, done, _ := StatefulRolloutStatus(stale); done {
		t.Error("a spec the controller has not seen yet is not rolled out")
	}
	onDelete := statefulSet(4, 0, 4, 4, "r2", "r2")
	onDelete.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
	if _, _, err := StatefulRolloutStatus(onDelete); err == nil || !strings.Contains(err.Error(), "OnDelete") {
		t.Errorf("err = %v", err)
	}
}

func TestSummarizeStateful(t *testing.T) {
	sts := statefulSet(4, 2, 3, 2, "r1", "r2")
	sts.Annotations = map[string]string{AnnotationStatefulCanary: `{"template":{"spec":{"containers":[{"name":"db","image":"db:1"}]}},"partition":0}`}
	other := fixture.NewStatefulSet("other").V()
	pods := []corev1.Pod{
		fixture.NewStatefulPod(sts, 10, "r1").V(), fixture.NewStatefulPod(sts, 0, "r1").V(), fixture.NewStatefulPod(sts, 2, "r2").V(),
		fixture.NewStatefulPod(sts, 3, "r2").NotReady(0).V(), fixture.NewStatefulPod(other, 0, "r2").V(),
	}
	st := SummarizeStateful(sts, pods)
	if st.Strategy != StrategyCanary || st.Phase != PhaseProgressing {
		t.Errorf("strategy %s, phase %s; want canary, Progressing (a canary pod not ready)", st.Strategy, st.Phase)
	}
	roles := st.StatefulSet.Roles
	if len(roles) != 2 {
		t.Fatalf("roles = %+v", roles)
	}
	stable, canary := roles[0], roles[1]
	if strings.Join(stable.Pods, ",") != "db-0,db-10" || stable.Containers[0].Image != "db:1" || stable.Ready != 2 {
		t.Errorf("stable = %+v", stable)
	}
	if strings.Join(canary.Pods, ",") != "db-2,db-3" || canary.Containers[0].Image != "db:2" || canary.Ready != 1 {
		t.Errorf("canary = %+v", canary)
	}
	if int(canary.Share) != 33 {
		t.Errorf("the canary's share of the ready pods = %.1f, want 33.3", canary.Share)
	}
}
