package strategy

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Image is one --image value: the image for a named container, or for the
// only container when Container is empty.
type Image struct {
	Container string
	Image     string
}

// ParseImages parses values of the form [CONTAINER=]IMAGE, checking each
// image as a reference a container runtime would accept. Its errors name no
// flag: the caller knows where the values came from.
func ParseImages(values []string) ([]Image, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("no image given: give the new image as [CONTAINER=]IMAGE")
	}
	images := make([]Image, 0, len(values))
	for _, v := range values {
		container, image, found := strings.Cut(v, "=")
		if !found {
			container, image = "", v
		}
		if found && container == "" {
			return nil, fmt.Errorf("%q: the container name before '=' is empty", v)
		}
		if _, err := parseReference(image); err != nil {
			return nil, fmt.Errorf("%q is not a valid image reference: %v", image, err)
		}
		images = append(images, Image{Container: container, Image: image})
	}
	return images, nil
}

// setImages returns a copy of spec with the images replaced, refusing a
// container that does not exist and an unnamed image when there are several
// containers.
func setImages(spec corev1.PodSpec, images []Image) (corev1.PodSpec, error) {
	out := *spec.DeepCopy()
	for _, img := range images {
		if img.Container == "" {
			if len(out.Containers) != 1 {
				return out, fmt.Errorf("the pods have %d containers (%s): name one as CONTAINER=IMAGE",
					len(out.Containers), strings.Join(containerNames(out), ", "))
			}
			out.Containers[0].Image = img.Image
			continue
		}
		if c := findContainer(&out, img.Container); c != nil {
			c.Image = img.Image
			continue
		}
		return out, fmt.Errorf("container %q not found: the pods have %s", img.Container, strings.Join(containerNames(out), ", "))
	}
	return out, nil
}

func findContainer(spec *corev1.PodSpec, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

func containerNames(spec corev1.PodSpec) []string {
	var names []string
	for _, c := range spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range spec.InitContainers {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}

// imageList describes the images of spec for messages: "web=nginx:1.27".
func imageList(spec corev1.PodSpec) string {
	parts := make([]string, len(spec.Containers))
	for i, c := range spec.Containers {
		parts[i] = c.Name + "=" + c.Image
	}
	return strings.Join(parts, ", ")
}
