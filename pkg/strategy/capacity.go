package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// capacityNote says, before anything changes, that a blue-green release runs
// both colors at once: twice the pods, and twice their resource requests
// against what the nodes can allocate (nodes is nil when they could not be
// read).
func capacityNote(live *appsv1.Deployment, nodes []corev1.Node) string {
	replicas := int64(release.Replicas(live))
	head := fmt.Sprintf("note: blue-green needs twice the capacity: %d more pods run beside the %d serving ones until cleanup", replicas, replicas)
	cpu, memory := plans.PodRequests(live.Spec.Template.Spec)
	if cpu.IsZero() && memory.IsZero() {
		return head + "; their containers request no CPU or memory, so nothing checks that the nodes can hold them"
	}
	cpu.Mul(2 * replicas)
	memory.Mul(2 * replicas)
	need := fmt.Sprintf("%s; both colors together request %s CPU and %s memory", head, cpu.String(), memory.String())
	if nodes == nil {
		return need + " (the nodes' capacity could not be read)"
	}
	var allocCPU, allocMemory resource.Quantity
	for _, n := range nodes {
		allocCPU.Add(n.Status.Allocatable[corev1.ResourceCPU])
		allocMemory.Add(n.Status.Allocatable[corev1.ResourceMemory])
	}
	note := fmt.Sprintf("%s, of %s CPU and %s allocatable on %d nodes", need, allocCPU.String(), allocMemory.String(), len(nodes))
	if cpu.Cmp(allocCPU) > 0 || memory.Cmp(allocMemory) > 0 {
		note += ": more than the nodes have, so some pods will stay Pending"
	}
	return note
}
