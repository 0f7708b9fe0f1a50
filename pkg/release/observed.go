package release

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"
)

// Observed is a release as one check of its gates reads it: the release
// (with the route it runs through), its pods whole, for their status, and
// the EndpointSlices of its Services and of those ship made for a route.
// A StatefulSet's or a DaemonSet's release has no Release: that workload
// and its pods instead.
type Observed struct {
	Release     *Release
	StatefulSet *appsv1.StatefulSet
	DaemonSet   *appsv1.DaemonSet
	Pods        []corev1.Pod
	Endpoints   *Endpoints
}

// The kinds of workload a release runs, as kubectl names them.
const (
	KindDeployment  = "deployment"
	KindStatefulSet = "statefulset"
	KindDaemonSet   = "daemonset"
)

// Kind is the kind of workload o's release runs.
func (o *Observed) Kind() string {
	switch {
	case o.StatefulSet != nil:
		return KindStatefulSet
	case o.DaemonSet != nil:
		return KindDaemonSet
	}
	return KindDeployment
}

// PodSelector selects every pod of every Deployment of the release, in one
// list: the labels all their selectors require, with the values any of
// them does (a canary kept out of its Service for a route selects app:
// web-canary beside the stable app: web). Each pod matches its own
// Deployment's selector, so none is missed, whatever the Services select.
// Empty when they share no label: every pod of the namespace.
func (r *Release) PodSelector() labels.Selector {
	var values map[string]sets.Set[string]
	for _, d := range []*appsv1.Deployment{r.Stable, r.Canary, r.Green} {
		if d == nil || d.Spec.Selector == nil {
			continue
		}
		if values == nil {
			values = map[string]sets.Set[string]{}
			for k, v := range d.Spec.Selector.MatchLabels {
				values[k] = sets.New(v)
			}
			continue
		}
		for k := range values {
			if v, ok := d.Spec.Selector.MatchLabels[k]; ok {
				values[k].Insert(v)
			} else {
				delete(values, k)
			}
		}
	}
	selector := labels.NewSelector()
	for _, k := range sets.List(sets.KeySet(values)) {
		op := selection.Equals
		if values[k].Len() > 1 {
			op = selection.In
		}
		if req, err := labels.NewRequirement(k, op, sets.List(values[k])); err == nil {
			selector = selector.Add(*req)
		}
	}
	return selector
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
