package release

import (
	corev1 "k8s.io/api/core/v1"
)

// The types of container a pod template has.
const (
	ContainerApp  = "container"
	ContainerInit = "initContainer"
	// ContainerSidecar is a native sidecar: an init container with
	// restartPolicy Always, which keeps running beside the app containers.
	ContainerSidecar = "sidecar"
)

// Container is one container of a pod template, of any type: what a release
// runs is every image of its pods, not only the app containers'.
type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	// Type is container, initContainer or sidecar.
	Type string `json:"type"`
}

// Containers lists every container of spec: the app containers first, then
// the init containers and sidecars, each in the order of the spec.
func Containers(spec *corev1.PodSpec) []Container {
	out := make([]Container, 0, len(spec.Containers)+len(spec.InitContainers))
	for _, c := range spec.Containers {
		out = append(out, Container{Name: c.Name, Image: c.Image, Type: ContainerApp})
	}
	for _, c := range spec.InitContainers {
		kind := ContainerInit
		if isSidecar(&c) {
			kind = ContainerSidecar
		}
		out = append(out, Container{Name: c.Name, Image: c.Image, Type: kind})
	}
	return out
}

// isSidecar says whether init container c is a native sidecar.
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// Images are the images of containers, in their order.
func Images(containers []Container) []string {
	out := make([]string, len(containers))
	for i, c := range containers {
		out[i] = c.Image
	}
	return out
}
