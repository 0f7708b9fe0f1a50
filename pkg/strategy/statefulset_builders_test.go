package strategy

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// statefulCanary is sts as a canary of image on k pods leaves it, on
// revision NAME-2.
func statefulCanary(sts *appsv1.StatefulSet, image string, k int32) *appsv1.StatefulSet {
	rec := release.StatefulRecord{Template: *sts.Spec.Template.DeepCopy(), Partition: release.Partition(sts)}
	raw, _ := json.Marshal(rec)
	sts.Annotations = map[string]string{release.AnnotationStatefulCanary: string(raw)}
	sts.Spec.Template.Spec.Containers[0].Image = image
	sts.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(*sts.Spec.Replicas - k)
	sts.Status.UpdateRevision = sts.Name + "-2"
	sts.Status.UpdatedReplicas = k
	return sts
}

// statefulPod is pod ordinal of sts on revision, Ready or not.
func statefulPod(sts *appsv1.StatefulSet, ordinal int, revision string, ready bool) corev1.Pod {
	b := fixture.NewStatefulPod(sts, ordinal, revision)
	if !ready {
		b = b.NotReady(0)
	}
	return b.V()
}
