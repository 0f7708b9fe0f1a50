package strategy

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// deploymentBuilder builds test Deployments in the seed's layout: selector
// app=NAME, pods labelled app=NAME and track=stable, one container.
type deploymentBuilder struct{ d *appsv1.Deployment }

func newDeployment(name, image string, replicas int32) deploymentBuilder {
	return deploymentBuilder{&appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name), ResourceVersion: "7"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name, "track": "stable"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}},
			},
		},
		// Rolled out, as a release at rest is.
		Status: appsv1.DeploymentStatus{Replicas: replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas},
	}}
}

func (b deploymentBuilder) withSelector(key, value string) deploymentBuilder {
	b.d.Spec.Selector.MatchLabels[key] = value
	b.d.Spec.Template.Labels[key] = value
	return b
}

// appOnly labels the pods app=NAME alone: the most common layout.
func (b deploymentBuilder) appOnly() deploymentBuilder {
	delete(b.d.Spec.Template.Labels, "track")
	return b
}

func (b deploymentBuilder) withContainer(name, image string) deploymentBuilder {
	b.d.Spec.Template.Spec.Containers = append(b.d.Spec.Template.Spec.Containers, corev1.Container{Name: name, Image: image})
	return b
}

func (b deploymentBuilder) withInit(name, image string) deploymentBuilder {
	b.d.Spec.Template.Spec.InitContainers = append(b.d.Spec.Template.Spec.InitContainers, corev1.Container{Name: name, Image: image})
	return b
}

// withSidecar adds a native sidecar: an init container that keeps running.
func (b deploymentBuilder) withSidecar(name, image string) deploymentBuilder {
	b.d.Spec.Template.Spec.InitContainers = append(b.d.Spec.Template.Spec.InitContainers,
		corev1.Container{Name: name, Image: image, RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)})
	return b
}

func (b deploymentBuilder) paused() deploymentBuilder {
	b.d.Spec.Paused = true
	return b
}

func (b deploymentBuilder) v() *appsv1.Deployment { return b.d }

func newService(name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: "3"},
		Spec:       corev1.ServiceSpec{Selector: selector, SessionAffinity: corev1.ServiceAffinityNone},
	}
}

func newRelease(stable, canary *appsv1.Deployment) *release.Release {
	return &release.Release{Stable: stable, Canary: canary, Services: []*corev1.Service{newService(stable.Name, map[string]string{"app": stable.Name})}}
}
