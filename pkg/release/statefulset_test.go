package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func statefulSet(replicas, partition, ready, updated int32, current, update string) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns", UID: "uid-db", Generation: 2},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(replicas),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "db:2"}}}},
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To(partition)}},
		},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 2, ReadyReplicas: ready, UpdatedReplicas: updated, CurrentRevision: current, UpdateRevision: update},
	}
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

func statefulPod(name, revision string, ready bool, owner *appsv1.StatefulSet) corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelRevision: revision},
			OwnerReferences: []metav1.OwnerReference{{Kind: "StatefulSet", Name: owner.Name, UID: owner.UID, Controller: ptr.To(true)}}},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestSummarizeStateful(t *testing.T) {
	sts := statefulSet(4, 2, 3, 2, "r1", "r2")
	sts.Annotations = map[string]string{AnnotationStatefulCanary: `{"template":{"spec":{"containers":[{"name":"db","image":"db:1"}]}},"partition":0}`}
	other := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "other", UID: "uid-other"}}
	pods := []corev1.Pod{
		statefulPod("db-10", "r1", true, sts), statefulPod("db-0", "r1", true, sts), statefulPod("db-2", "r2", true, sts),
		statefulPod("db-3", "r2", false, sts), statefulPod("other-0", "r2", true, other),
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
