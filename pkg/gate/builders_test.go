package gate

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// t0 is when the fixtures' pods were created; checks run later.
var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newDeployment(name string, selector map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: selector}},
	}
}

func withProgressing(d *appsv1.Deployment, status corev1.ConditionStatus, reason string) *appsv1.Deployment {
	d.Status.Conditions = append(d.Status.Conditions, appsv1.DeploymentCondition{
		Type: appsv1.DeploymentProgressing, Status: status, Reason: reason,
	})
	return d
}

// podBuilder builds a pod as a list returns it: created at t0, Ready since
// t0 unless told otherwise, one container "app" running.
type podBuilder struct{ p *corev1.Pod }

func newPod(name string, labels map[string]string) podBuilder {
	return podBuilder{&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels, CreationTimestamp: metav1.NewTime(t0)},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0)}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			}},
		},
	}}
}

func canaryPod(name string) podBuilder {
	return newPod(name, map[string]string{"app": "web", "track": "canary"}).ownedBy("web-canary", "c4n4ry")
}
func stablePod(name string) podBuilder {
	return newPod(name, map[string]string{"app": "web", "track": "stable"}).ownedBy("web", "5t4bl3")
}

// ownedBy makes the pod one of Deployment d's, as its ReplicaSet of
// pod-template-hash hash creates it.
func (b podBuilder) ownedBy(d, hash string) podBuilder {
	b.p.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = hash
	b.p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: d + "-" + hash, Controller: ptr.To(true)}}
	return b
}

// notReady makes the pod not Ready since t0+after (its creation when 0).
func (b podBuilder) notReady(after time.Duration) podBuilder {
	b.p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.NewTime(t0.Add(after))}}
	b.p.Status.ContainerStatuses[0].Ready = false
	return b
}

func (b podBuilder) pending() podBuilder {
	b.p.Status.Phase = corev1.PodPending
	b.p.Status.Conditions = nil
	return b
}

// created moves the pod's creation by d from t0.
func (b podBuilder) created(d time.Duration) podBuilder {
	b.p.CreationTimestamp = metav1.NewTime(t0.Add(d))
	return b
}

func (b podBuilder) waiting(reason, message string) podBuilder {
	b.p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	return b
}

func (b podBuilder) terminated(reason string, exitCode int32) podBuilder {
	b.p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exitCode}}
	return b
}

// restarted sets the restart count, the last termination being reason.
func (b podBuilder) restarted(count int32, reason string, exitCode int32) podBuilder {
	cs := &b.p.Status.ContainerStatuses[0]
	cs.RestartCount = count
	cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exitCode}}
	return b
}

func (b podBuilder) withInitContainer(name string, restarts int32) podBuilder {
	b.p.Status.InitContainerStatuses = append(b.p.Status.InitContainerStatuses, corev1.ContainerStatus{Name: name, RestartCount: restarts})
	return b
}

func (b podBuilder) deleting() podBuilder {
	now := metav1.NewTime(t0)
	b.p.DeletionTimestamp = &now
	return b
}

func (b podBuilder) phase(p corev1.PodPhase) podBuilder {
	b.p.Status.Phase = p
	return b
}

func (b podBuilder) v() corev1.Pod { return *b.p }

// newStatefulSet is StatefulSet db with a canary: revision db-1 current,
// db-2 its update revision.
func newStatefulSet() *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns", UID: "uid-db"},
		Status:     appsv1.StatefulSetStatus{CurrentRevision: "db-1", UpdateRevision: "db-2"},
	}
}

// statefulPod is pod db-ORDINAL of sts (its controller by UID) on revision.
func statefulPod(sts *appsv1.StatefulSet, ordinal int, revision string) podBuilder {
	b := newPod(fmt.Sprintf("%s-%d", sts.Name, ordinal), map[string]string{"app": sts.Name, appsv1.ControllerRevisionHashLabelKey: revision})
	b.p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: sts.Name, UID: sts.UID, Controller: ptr.To(true)}}
	return b
}
