package strategy

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// statefulBuilder builds test StatefulSets as the API server returns them:
// RollingUpdate with partition 0, OrderedReady, rolled out on revision
// NAME-1.
type statefulBuilder struct{ s *appsv1.StatefulSet }

func newStatefulSet(name, image string, replicas int32) statefulBuilder {
	return statefulBuilder{&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name), ResourceVersion: "7", Generation: 1},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}},
			},
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To[int32](0)},
			},
			PodManagementPolicy: appsv1.OrderedReadyPodManagement,
		},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 1, Replicas: replicas, ReadyReplicas: replicas, UpdatedReplicas: replicas,
			CurrentReplicas: replicas, CurrentRevision: name + "-1", UpdateRevision: name + "-1"},
	}}
}

func (b statefulBuilder) withPartition(p int32) statefulBuilder {
	b.s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(p)
	return b
}

func (b statefulBuilder) onDelete() statefulBuilder {
	b.s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
	return b
}

func (b statefulBuilder) parallel() statefulBuilder {
	b.s.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	return b
}

// rolling is a rollout under way: revision NAME-2 on some pods.
func (b statefulBuilder) rolling() statefulBuilder {
	b.s.Status.UpdateRevision = b.s.Name + "-2"
	b.s.Status.UpdatedReplicas = 1
	return b
}

// withCanary is the StatefulSet as a canary of image on k pods leaves it,
// on revision NAME-2.
func (b statefulBuilder) withCanary(image string, k int32) statefulBuilder {
	rec := release.StatefulRecord{Template: *b.s.Spec.Template.DeepCopy(), Partition: release.Partition(b.s)}
	raw, _ := json.Marshal(rec)
	b.s.Annotations = map[string]string{release.AnnotationStatefulCanary: string(raw)}
	b.s.Spec.Template.Spec.Containers[0].Image = image
	b.s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(*b.s.Spec.Replicas - k)
	b.s.Status.UpdateRevision = b.s.Name + "-2"
	b.s.Status.UpdatedReplicas = k
	return b
}

func (b statefulBuilder) v() *appsv1.StatefulSet { return b.s }

// statefulPod is pod ordinal of sts on revision, Ready or not.
func statefulPod(sts *appsv1.StatefulSet, ordinal int, revision string, ready bool) corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("%s-%d", sts.Name, ordinal), Namespace: sts.Namespace, UID: types.UID(fmt.Sprintf("pod-%d", ordinal)), ResourceVersion: "9",
			Labels:          map[string]string{"app": sts.Name, release.LabelRevision: revision},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: sts.Name, UID: sts.UID, Controller: ptr.To(true)}},
		},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}
