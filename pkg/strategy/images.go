package strategy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Image is one --image value: the image for a named container (an app
// container, an init container or a sidecar), or, with Container empty, for
// the pod's one app container (see setImages).
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

// setImages returns a copy of spec with the images replaced. A named image
// may be for any container: an app container, an init container or a
// sidecar. A bare image (no CONTAINER=) is for the pod's one app container,
// and never for an init container or a sidecar, which often run tools of
// their own (a migration, a proxy): with several app containers it is
// refused, with the pod's containers named; sharedImageNotes tells when an
// init container or sidecar kept the image the app container had.
func setImages(spec corev1.PodSpec, images []Image) (corev1.PodSpec, error) {
	out := *spec.DeepCopy()
	for _, img := range images {
		if img.Container == "" {
			if len(out.Containers) != 1 {
				return out, fmt.Errorf("the pods have %s: name one as CONTAINER=IMAGE (an image without a name is for a pod's one app container)",
					describeContainers(&out))
			}
			out.Containers[0].Image = img.Image
			continue
		}
		if c := findContainer(&out, img.Container); c != nil {
			c.Image = img.Image
			continue
		}
		return out, fmt.Errorf("container %q not found: the pods have %s", img.Container, describeContainers(&out))
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

// describeContainers counts and names the containers of spec by type:
// "2 containers (app, proxy), 1 init container (migrate) and 1 sidecar (log)".
func describeContainers(spec *corev1.PodSpec) string {
	names := map[string][]string{}
	for _, c := range release.Containers(spec) {
		names[c.Type] = append(names[c.Type], c.Name)
	}
	var parts []string
	for _, t := range []struct{ kind, noun string }{
		{release.ContainerApp, "container"}, {release.ContainerInit, "init container"}, {release.ContainerSidecar, "sidecar"},
	} {
		if list := names[t.kind]; len(list) > 0 {
			sort.Strings(list)
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(list), release.Plural(int32(len(list)), t.noun), strings.Join(list, ", ")))
		}
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// sameImages says whether two pod templates run the same image in each
// container, init containers and sidecars included.
func sameImages(a, b *corev1.PodSpec) bool {
	return slices.Equal(release.Containers(a), release.Containers(b))
}

// sharedImageNotes warns when a container kept the image another container
// of the pod had before it changed: an init container that runs the app's
// own image (migrations, asset copies) is then left on the old version.
func sharedImageNotes(before, after *corev1.PodSpec) []string {
	old, next := release.Containers(before), release.Containers(after)
	var notes []string
	for i, kept := range next {
		if kept != old[i] {
			continue
		}
		for j, changed := range next {
			if changed != old[j] && old[j].Image == kept.Image {
				notes = append(notes, fmt.Sprintf("note: %s %s keeps %s, the image %s %s had: give %s=IMAGE to change it too",
					kindNoun(kept.Type), kept.Name, release.EscapeTerminal(kept.Image), kindNoun(changed.Type), changed.Name, kept.Name))
				break
			}
		}
	}
	return notes
}

func kindNoun(kind string) string {
	switch kind {
	case release.ContainerInit:
		return "init container"
	case release.ContainerSidecar:
		return "sidecar"
	}
	return "container"
}

// imageList describes the images of spec for messages, init containers
// and sidecars included, escaped for the terminal: "web=nginx:1.27".
func imageList(spec corev1.PodSpec) string {
	containers := release.Containers(&spec)
	parts := make([]string, len(containers))
	for i, c := range containers {
		parts[i] = c.Name + "=" + release.EscapeTerminal(c.Image)
	}
	return strings.Join(parts, ", ")
}

// canarySpec is the pod spec of a workload's canary, made in place: the
// recorded template's with req's images. It refuses the images the
// workload already runs and, while a canary runs (running) and unless
// req.Replace, other images than the canary's (current).
func canarySpec(kind, name string, running bool, current, recorded corev1.PodSpec, req CanaryRequest) (corev1.PodSpec, error) {
	spec, err := setImages(recorded, req.Images)
	if err != nil {
		return corev1.PodSpec{}, err
	}
	if apiequality.Semantic.DeepEqual(spec, recorded) {
		return corev1.PodSpec{}, fmt.Errorf("%s %s already runs %s: a canary needs a different image", kind, name, imageList(spec))
	}
	if running && !req.Replace && !sameImages(&current, &spec) {
		return corev1.PodSpec{}, fmt.Errorf("%s %s already runs a canary of %s, not %s: pass --replace to roll the canary to the new image, or abort it first",
			kind, name, imageList(current), imageList(spec))
	}
	return spec, nil
}
