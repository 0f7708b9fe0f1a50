package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// Color is one side of a blue-green release: blue is the release's own
// Deployment, green the one ship created beside it.
type Color string

// The two colors.
const (
	Blue  Color = "blue"
	Green Color = "green"
)

// Other is the opposite color.
func (c Color) Other() Color {
	if c == Blue {
		return Green
	}
	return Blue
}

// ParseColor reads a --to value.
func ParseColor(s string) (Color, error) {
	switch c := Color(s); c {
	case Blue, Green:
		return c, nil
	}
	return "", fmt.Errorf("unknown color %q: use blue or green", s)
}

// Deployment returns the Deployment of color c (nil for green before the
// first blue-green release).
func (r *Release) Deployment(c Color) *appsv1.Deployment {
	if c == Blue {
		return r.Stable
	}
	return r.Green
}

// ColorKey is the pod label whose value the Services' selectors switch
// between the colors, as recorded on the green Deployment, or for a green
// made by hand the one label its pods differ in ("" before the first
// blue-green release).
func (r *Release) ColorKey() string {
	if r.Green == nil {
		return ""
	}
	if r.Green == r.handMade {
		if keys := differing(r.Stable.Spec.Template.Labels, r.Green.Spec.Template.Labels); len(keys) == 1 {
			return keys[0]
		}
	}
	return r.Green.Annotations[AnnotationColorKey]
}

// NewColor is the color the last bluegreen brought up ("" if unknown).
func (r *Release) NewColor() Color {
	if r.Green == nil {
		return ""
	}
	return Color(r.Green.Annotations[AnnotationNewColor])
}

// Serving says which color the Services route to: the one whose pods carry
// the value of key their selectors ask for. It is "" while the Services do
// not select on key yet, and an error when they disagree.
func (r *Release) Serving(key string) (Color, error) {
	routes := map[Color][]string{}
	for _, svc := range r.Services {
		want, ok := svc.Spec.Selector[key]
		for _, c := range []Color{Blue, Green} {
			if d := r.Deployment(c); ok && d != nil && d.Spec.Template.Labels[key] == want {
				routes[c] = append(routes[c], svc.Name)
			}
		}
	}
	switch {
	case len(routes) == 2:
		return "", fmt.Errorf("the services disagree: %s route to blue, %s to green; name the color to serve with --to",
			strings.Join(routes[Blue], ", "), strings.Join(routes[Green], ", "))
	case len(routes[Blue]) > 0:
		return Blue, nil
	case len(routes[Green]) > 0:
		return Green, nil
	}
	return "", nil
}

// ServiceNames lists the release's Services, for messages.
func (r *Release) ServiceNames() string {
	names := make([]string, len(r.Services))
	for i, svc := range r.Services {
		names[i] = svc.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
