package plans

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// SetsRequests reports whether d's containers request CPU or memory: only
// then is the nodes' capacity worth reading before a blue-green release.
func SetsRequests(d *appsv1.Deployment) bool {
	cpu, memory := PodRequests(d.Spec.Template.Spec)
	return !cpu.IsZero() || !memory.IsZero()
}

// PodRequests is the CPU and memory spec's containers request together.
func PodRequests(spec corev1.PodSpec) (cpu, memory resource.Quantity) {
	for _, c := range spec.Containers {
		cpu.Add(c.Resources.Requests[corev1.ResourceCPU])
		memory.Add(c.Resources.Requests[corev1.ResourceMemory])
	}
	return cpu, memory
}
