package release

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Observed is a release as one check of its gates reads it: the release
// (with the route it runs through), its pods whole, for their status, and
// the EndpointSlices of its Services and of those ship made for a route.
type Observed struct {
	Release   *Release
	Pods      []corev1.Pod
	Endpoints *Endpoints
}

// PodSelector selects every pod of every Deployment of the release, in one
// list: the label pairs all their selectors require. Each pod matches its
// own Deployment's selector, so none is missed, whatever the Services
// select. Empty when they share none: every pod of the namespace.
func (r *Release) PodSelector() labels.Set {
	var shared labels.Set
	for _, d := range []*appsv1.Deployment{r.Stable, r.Canary, r.Green} {
		if d == nil || d.Spec.Selector == nil {
			continue
		}
		if shared == nil {
			shared = labels.Set{}
			for k, v := range d.Spec.Selector.MatchLabels {
				shared[k] = v
			}
			continue
		}
		for k, v := range shared {
			if d.Spec.Selector.MatchLabels[k] != v {
				delete(shared, k)
			}
		}
	}
	return shared
}

// CheckedServices names the Services whose endpoints a check counts: the
// release's, and those ship made for its route, sorted.
func (r *Release) CheckedServices() []string {
	var names []string
	for _, svc := range append(append([]*corev1.Service{}, r.Services...), r.CanaryService, r.StableService, r.GreenService) {
		if svc != nil {
			names = append(names, svc.Name)
		}
	}
	sort.Strings(names)
	return names
}

// RoleNamed is the role of the release's Deployment named name, as status
// names it (canary, stable, green, blue), or "" when it has none of that
// name.
func (r *Release) RoleNamed(name string) string {
	for _, m := range r.members() {
		if m.d.Name == name {
			return m.role
		}
	}
	return ""
}

// DeploymentNamed returns the release's Deployment named name, or nil.
func (r *Release) DeploymentNamed(name string) *appsv1.Deployment {
	for _, d := range []*appsv1.Deployment{r.Stable, r.Canary, r.Green} {
		if d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

// UnderTest is the Deployment an operation on the release put under test:
// the canary, else the color its Services or route serve, else the stable
// one.
func (r *Release) UnderTest() *appsv1.Deployment {
	if r.Canary != nil {
		return r.Canary
	}
	if r.Green != nil {
		color, routed := r.RouteServing()
		if !routed {
			color, _ = r.Serving(r.ColorKey())
		}
		if color != "" {
			return r.Deployment(color)
		}
	}
	return r.Stable
}
