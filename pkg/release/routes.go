package release

import (
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Routes are what sends traffic to a release from outside the cluster, as
// far as ship drives it: HTTPRoutes and Ingresses, and the Services ship
// made so that a route's weight is the weight that flows.
type Routes struct {
	// HTTPRoutes are the HTTPRoutes read (for Needs.Routes), whatever
	// they route to: the planner picks among them.
	HTTPRoutes []*HTTPRoute
	// Ingresses are the Ingresses read, ship's canary Ingress apart.
	Ingresses     []*networkingv1.Ingress
	CanaryIngress *networkingv1.Ingress
	// GrantedNamespaces are the other namespaces whose HTTPRoutes a
	// ReferenceGrant lets send traffic to the release's Services.
	GrantedNamespaces []string
	// grants are the ReferenceGrants of the release's namespace, when read.
	grants []referenceGrant
	// Unreadable says why the routes could not be listed ("" when they
	// were, or when the Gateway API is not installed).
	Unreadable string
	// CanaryService selects only the canary's pods, StableService only
	// the stable ones, GreenService only green's: ship's, made for a route.
	CanaryService, StableService, GreenService *corev1.Service
}

// setRouteService files a Service ship made for a route of the release by
// its role, and reports whether it was one.
func (r *Release) setRouteService(svc *corev1.Service) bool {
	switch svc.Labels[LabelRole] {
	case RoleCanary:
		r.CanaryService = svc
	case RoleStable:
		r.StableService = svc
	case RoleGreen:
		r.GreenService = svc
	default:
		return false
	}
	return true
}

// RecordedRoute is the route a routed canary or blue-green release runs
// through, as ship recorded it on the Service it made for it or in the
// release's record.
func (r *Release) RecordedRoute() (RouteRef, bool) {
	for _, role := range []string{RoleCanary, RoleGreen} {
		if rec, ok := r.Recorded(role); ok {
			return rec.Ref()
		}
	}
	return RouteRef{}, false
}

// SetRoutes files the HTTPRoutes and Ingresses read for the release.
func (r *Release) SetRoutes(routes []*HTTPRoute, ingresses []networkingv1.Ingress) {
	r.HTTPRoutes = routes
	r.Ingresses, r.CanaryIngress = nil, nil
	for i := range ingresses {
		ing := &ingresses[i]
		if owner, ok := OwnerOf(ing); ok && owner == r.Stable.Name && ing.Labels[LabelRole] == RoleCanary {
			r.CanaryIngress = ing
			continue
		}
		r.Ingresses = append(r.Ingresses, ing)
	}
	r.dropStaleRecord()
}

// HTTPRoute returns the HTTPRoute ref names, read for the release, or nil.
func (r *Release) HTTPRoute(ref RouteRef) *HTTPRoute {
	ref = ref.In(r.Stable.Namespace)
	for _, route := range r.HTTPRoutes {
		if route.Namespace() == ref.Namespace && route.Name() == ref.Name {
			return route
		}
	}
	return nil
}

// Ingress returns the user's Ingress of that name, read for the release, or nil.
func (r *Release) Ingress(name string) *networkingv1.Ingress {
	for _, ing := range r.Ingresses {
		if ing.Name == name {
			return ing
		}
	}
	return nil
}

// HTTPRoutesTo are the HTTPRoutes read that send traffic to one of
// services (of the release's namespace), sorted by namespace and name.
func (r *Release) HTTPRoutesTo(services ...string) []*HTTPRoute {
	var out []*HTTPRoute
	for _, route := range r.HTTPRoutes {
		if slices.ContainsFunc(route.Services(r.Stable.Namespace), func(s string) bool { return slices.Contains(services, s) }) {
			out = append(out, route)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace()+"/"+out[i].Name() < out[j].Namespace()+"/"+out[j].Name()
	})
	return out
}

// IngressServices are the Services an Ingress sends traffic to.
func IngressServices(ing *networkingv1.Ingress) []string {
	var out []string
	add := func(b *networkingv1.IngressBackend) {
		if b != nil && b.Service != nil && !slices.Contains(out, b.Service.Name) {
			out = append(out, b.Service.Name)
		}
	}
	add(ing.Spec.DefaultBackend)
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for i := range rule.HTTP.Paths {
			add(&rule.HTTP.Paths[i].Backend)
		}
	}
	return out
}

// ListedRoutes are the routes `list` read, of one namespace or all
// (Namespace ""), for the releases that run through one; a kind not read
// is nil.
type ListedRoutes struct {
	Namespace  string
	HTTPRoutes []*HTTPRoute
	Ingresses  []networkingv1.Ingress
}

// setOn gives r the routes of its namespace, when it runs through one.
func (l *ListedRoutes) setOn(r *Release) {
	if _, routed := r.RecordedRoute(); l == nil || !routed {
		return
	}
	var ingresses []networkingv1.Ingress
	for _, ing := range l.Ingresses {
		if ing.Namespace == r.Stable.Namespace {
			ingresses = append(ingresses, ing)
		}
	}
	r.SetRoutes(l.HTTPRoutes, ingresses)
	if l.HTTPRoutes != nil {
		r.MarkRoutesRead(KindHTTPRoute, l.Namespace)
	}
	if l.Ingresses != nil {
		r.MarkRoutesRead(KindIngress, l.Namespace)
	}
}
