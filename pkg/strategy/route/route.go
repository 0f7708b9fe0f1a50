// Package route is what a route is and does for a release, below the
// planners that decide a verb's steps: which HTTPRoute or Ingress a canary
// or a switch runs through (--route), the track Services that make a
// route's weight the weight that flows, the canary Ingress of
// ingress-nginx, a route's share for the canary and the way back when the
// release ends. An HTTPRoute's rules themselves are edited by
// pkg/strategy/httproute.
package route

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Choice is --route: find the route (the zero value), use none (the
// share of the pods), or drive the one named.
type Choice struct {
	None bool
	Ref  *release.RouteRef
}

// ParseChoice reads a --route value.
func ParseChoice(s string) (Choice, error) {
	if s == "none" {
		return Choice{None: true}, nil
	}
	ref, err := release.ParseRouteRef(s)
	if err != nil {
		return Choice{}, err
	}
	return Choice{Ref: &ref}, nil
}

// Needs is what a planner with this choice reads of the routes.
func (c Choice) Needs() plans.RouteNeeds {
	switch {
	case c.None:
		return plans.RouteNeeds{}
	case c.Ref != nil:
		return plans.RouteNeeds{Named: c.Ref}
	}
	return plans.RouteNeeds{Discover: true, Recorded: true, Grants: true}
}

// Target is the route a canary runs through: an HTTPRoute, or an Ingress
// beside which ship makes ingress-nginx's canary Ingress. One of the two
// is set.
type Target struct {
	HTTP    *release.HTTPRoute
	Ingress *networkingv1.Ingress
}

// Ref names the route, relative to the release's namespace.
func (t *Target) Ref(namespace string) release.RouteRef {
	if t.HTTP != nil {
		return t.HTTP.Ref(namespace)
	}
	return release.RouteRef{Kind: release.KindIngress, Name: t.Ingress.Name}
}

// ForCanary finds the route a canary of svc runs through, or nil for the
// share of the pods: the one named, else the one the canary already runs
// through, else the only HTTPRoute of the namespace that sends traffic to
// svc. Several such routes, or routes of other namespaces a ReferenceGrant
// lets in, must be named.
func ForCanary(rel *release.Release, svc *corev1.Service, choice Choice) (*Target, error) {
	ns, name := rel.Stable.Namespace, rel.Stable.Name
	recorded, routed := rel.RecordedRoute()
	switch {
	case choice.None && routed:
		return nil, fmt.Errorf("release %s runs through %s: end that first (abort its canary, or switch back to blue) to go without a route", name, recorded)
	case choice.None:
		return nil, nil
	case choice.Ref != nil && routed && recorded.In(ns) != choice.Ref.In(ns):
		return nil, fmt.Errorf("release %s runs through %s, not %s: end that first (abort its canary, or switch back to blue) to change routes", name, recorded, choice.Ref)
	case choice.Ref != nil:
		return namedRoute(rel, svc, *choice.Ref)
	case routed:
		return namedRoute(rel, svc, recorded)
	}
	return discover(rel, svc.Name)
}

// discover finds the only HTTPRoute of the release's namespace that sends
// traffic to one of services, or nil for none. Several such routes, or
// routes of other namespaces a ReferenceGrant lets in, must be named.
func discover(rel *release.Release, services ...string) (*Target, error) {
	ns := rel.Stable.Namespace
	var found, to []string
	var target *Target
	for _, r := range rel.HTTPRoutesTo(services...) {
		if r.Namespace() != ns {
			continue
		}
		found = append(found, r.Name())
		target = &Target{HTTP: r}
		for _, s := range r.Services(ns) {
			if slices.Contains(services, s) && !slices.Contains(to, s) {
				to = append(to, s)
			}
		}
	}
	sort.Strings(to)
	switch {
	case len(found) > 1:
		return nil, fmt.Errorf("httproutes %s send traffic to service %s: name the one to drive with --route httproute/NAME (or --route none for the share of the pods)",
			strings.Join(found, ", "), strings.Join(to, ", "))
	case target == nil && len(rel.GrantedNamespaces) > 0:
		return nil, fmt.Errorf("a ReferenceGrant lets the HTTPRoutes of namespace %s send traffic to service %s, and kubectl-ship drives a route of another namespace only when named: --route httproute/NAMESPACE/NAME, or --route none for the share of the pods",
			strings.Join(rel.GrantedNamespaces, ", "), strings.Join(services, ", "))
	}
	return target, nil
}

// namedRoute finds the route ref names, which must send traffic to svc (or
// to ship's Services, when ship already changed it).
func namedRoute(rel *release.Release, svc *corev1.Service, ref release.RouteRef) (*Target, error) {
	ns := rel.Stable.Namespace
	want := []string{svc.Name}
	for _, s := range []*corev1.Service{rel.CanaryService, rel.StableService} {
		if s != nil {
			want = append(want, s.Name)
		}
	}
	where := ref.In(ns).Namespace
	if ref.Kind == release.KindIngress {
		ing := rel.Ingress(ref.Name)
		switch {
		case ing == nil:
			return nil, fmt.Errorf("ingress %s not found in namespace %s", ref.Name, ns)
		case !sendsTo(release.IngressServices(ing), want):
			return nil, fmt.Errorf("ingress %s does not send traffic to service %s (its backends: %s)", ref.Name, svc.Name, listOrNone(release.IngressServices(ing)))
		}
		return &Target{Ingress: ing}, nil
	}
	route := rel.HTTPRoute(ref)
	switch {
	case route == nil:
		return nil, fmt.Errorf("httproute %s not found in namespace %s", ref.Name, where)
	case !sendsTo(route.Services(ns), want):
		return nil, fmt.Errorf("httproute %s does not send traffic to service %s of namespace %s (its backends there: %s)", ref.Name, svc.Name, ns, listOrNone(route.Services(ns)))
	}
	return &Target{HTTP: route}, nil
}

func sendsTo(backends, services []string) bool {
	for _, b := range backends {
		for _, s := range services {
			if b == s {
				return true
			}
		}
	}
	return false
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// CheckGranted refuses a plan that would write into route, of another namespace,
// the names of Services that the ReferenceGrants of the Services' namespace
// do not let it send traffic to: the Gateway would then refuse every
// request of the rule (ResolvedRefs=False, RefNotPermitted).
func CheckGranted(rel *release.Release, route *release.HTTPRoute, names ...string) error {
	ns := rel.Stable.Namespace
	if route.Namespace() == ns {
		return nil
	}
	refused, grants, read := rel.NotGranted(route.Namespace(), names)
	if !read || len(refused) == 0 {
		return nil
	}
	var add []string
	for _, name := range refused {
		add = append(add, fmt.Sprintf(`{group: "", kind: Service, name: %s}`, name))
	}
	what := fmt.Sprintf("add %s to its spec.to, or leave name out to let in every Service of namespace %s", strings.Join(add, " and "), ns)
	if len(grants) == 0 {
		return fmt.Errorf("no ReferenceGrant in namespace %s lets httproute %s/%s send traffic to service %s: create one from {group: %s, kind: HTTPRoute, namespace: %s} to %s, then run this again",
			ns, route.Namespace(), route.Name(), strings.Join(refused, " and "), release.GatewayGroup, route.Namespace(), strings.Join(add, " and "))
	}
	return fmt.Errorf("referencegrant %s in namespace %s does not let httproute %s/%s send traffic to service %s, which kubectl-ship would write into it: %s, then run this again",
		strings.Join(grants, ", "), ns, route.Namespace(), route.Name(), strings.Join(refused, " and "), what)
}
