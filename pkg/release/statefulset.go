package release

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// AnnotationStatefulCanary is, on a StatefulSet whose canary runs, what
// the canary changed as it was (a StatefulRecord): written in the same
// patch as the change, so no interruption can leave one without the other.
const AnnotationStatefulCanary = prefix + "stateful-canary"

// LabelRevision is the label the StatefulSet controller puts on each pod:
// the ControllerRevision the pod was made from.
const LabelRevision = appsv1.ControllerRevisionHashLabelKey

// StatefulRecord is what a StatefulSet's canary changed, to be put back
// exactly by abort (the template and the partition) or promote (the
// partition).
type StatefulRecord struct {
	// Template is the pod template before the canary.
	Template corev1.PodTemplateSpec `json:"template"`
	// Partition is the user's partition before the canary; NoRollingUpdate
	// says updateStrategy.rollingUpdate was absent.
	Partition       int32 `json:"partition"`
	NoRollingUpdate bool  `json:"noRollingUpdate,omitempty"`
}

// StatefulCanary returns the record of sts's canary, nil when none runs.
func StatefulCanary(sts *appsv1.StatefulSet) (*StatefulRecord, error) {
	value, ok := sts.Annotations[AnnotationStatefulCanary]
	if !ok {
		return nil, nil
	}
	var rec StatefulRecord
	if err := json.Unmarshal([]byte(value), &rec); err != nil {
		return nil, fmt.Errorf("statefulset %s: annotation %s cannot be read (%v): restore the template and partition by hand, then remove it", sts.Name, AnnotationStatefulCanary, err)
	}
	return &rec, nil
}

// Partition is sts's partition: the lowest ordinal its rolling update
// reaches (0 when unset).
func Partition(sts *appsv1.StatefulSet) int32 {
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return *ru.Partition
	}
	return 0
}

// StatefulReplicas is sts's desired number of pods (1 when unset, as the
// API server defaults it).
func StatefulReplicas(sts *appsv1.StatefulSet) int32 {
	if sts.Spec.Replicas == nil {
		return 1
	}
	return *sts.Spec.Replicas
}

// StatefulRolloutStatus says, as 'kubectl rollout status statefulset/NAME'
// does, whether the pods at or above sts's partition run its update
// revision and every pod is ready: the message, done, and an error when
// sts cannot roll out (an OnDelete strategy).
func StatefulRolloutStatus(sts *appsv1.StatefulSet) (string, bool, error) {
	if sts.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return "", false, fmt.Errorf("statefulset %s updates its pods only when they are deleted (updateStrategy OnDelete): its rollout cannot be followed", sts.Name)
	}
	replicas := StatefulReplicas(sts)
	switch want := replicas - Partition(sts); {
	case sts.Status.ObservedGeneration < sts.Generation:
		return "Waiting for statefulset spec update to be observed...", false, nil
	case sts.Status.ReadyReplicas < replicas:
		return fmt.Sprintf("Waiting for %d pods to be ready...", replicas-sts.Status.ReadyReplicas), false, nil
	case sts.Status.UpdatedReplicas < want:
		return fmt.Sprintf("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...", sts.Status.UpdatedReplicas, want), false, nil
	case want == replicas && sts.Status.UpdateRevision != sts.Status.CurrentRevision:
		return fmt.Sprintf("waiting for statefulset rolling update to complete %d pods at revision %s...", sts.Status.UpdatedReplicas, sts.Status.UpdateRevision), false, nil
	case Partition(sts) > 0:
		return fmt.Sprintf("partitioned roll out complete: %d new pods have been updated...", sts.Status.UpdatedReplicas), true, nil
	}
	return fmt.Sprintf("statefulset rolling update complete %d pods at revision %s...", sts.Status.UpdatedReplicas, sts.Status.UpdateRevision), true, nil
}

// StatefulPods are a StatefulSet's pods by revision: those of its update
// revision (the canary's, while one runs) and the others.
type StatefulPods struct {
	Update, Current []*corev1.Pod
}

// PodsByRevision sorts the pods sts controls by the revision their
// controller-revision-hash label names.
func PodsByRevision(sts *appsv1.StatefulSet, pods []corev1.Pod) StatefulPods {
	var out StatefulPods
	for _, p := range ControlledPods(sts, pods) {
		if p.Labels[LabelRevision] == sts.Status.UpdateRevision {
			out.Update = append(out.Update, p)
		} else {
			out.Current = append(out.Current, p)
		}
	}
	return out
}

// ControlledPods are the pods whose controller is sts (by UID): not those
// of another StatefulSet its selector also matches.
func ControlledPods(sts *appsv1.StatefulSet, pods []corev1.Pod) []*corev1.Pod {
	return podsControlledBy(sts.UID, pods)
}

// podsControlledBy are the pods whose controller has UID uid.
func podsControlledBy(uid types.UID, pods []corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range pods {
		if ref := metav1.GetControllerOf(&pods[i]); ref != nil && ref.UID == uid {
			out = append(out, &pods[i])
		}
	}
	return out
}

// PodReady says whether p is Ready and not going away.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil
		}
	}
	return false
}

// StatefulView is sts as the stable Deployment of a release: its name, its
// pods and their labels, with the current revision's hash that tells its
// stable pods from the canary's. A canary through a route reads its Services
// and routes as that release's.
func StatefulView(sts *appsv1.StatefulSet) *appsv1.Deployment {
	template := sts.Spec.Template.DeepCopy()
	if template.Labels == nil {
		template.Labels = map[string]string{}
	}
	if rev := sts.Status.CurrentRevision; rev != "" {
		template.Labels[LabelRevision] = rev
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: sts.Name, Namespace: sts.Namespace, UID: sts.UID, Labels: sts.Labels, Annotations: sts.Annotations},
		Spec:       appsv1.DeploymentSpec{Replicas: sts.Spec.Replicas, Selector: sts.Spec.Selector, Template: *template},
	}
}
