package release

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
)

// serviceView tells, for a route's backends that are the release's
// Services (or ship's for it), whether each exists, its ready endpoints, and which share of them
// are the canary's (or green's) pods.
type serviceView struct {
	rel *Release
	ep  *Endpoints
}

// describe fills in b's Missing and ReadyEndpoints and returns the share
// (0 to 1) of its ready endpoints whose pods are the canary's or green's.
func (v *serviceView) describe(b *RouteBackend) float64 {
	if !v.rel.hasService(b.Service) {
		b.Missing = true
		return 0
	}
	if v.ep == nil {
		return 0
	}
	counts, _ := v.ep.count(v.rel.members(), b.Service)
	ready := 0
	for _, n := range counts {
		ready += n
	}
	b.ReadyEndpoints = &ready
	if ready == 0 {
		return 0
	}
	return float64(counts[RoleCanary]+counts[string(Green)]) / float64(ready)
}

// judges says whether there is a canary or green whose share to count.
func (v *serviceView) judges() bool {
	return v != nil && (v.rel.Canary != nil || v.rel.Green != nil)
}

// hasService says whether a Service of that name exists in the release's
// namespace, as read.
func (r *Release) hasService(name string) bool {
	for _, svc := range r.Services {
		if svc.Name == name {
			return true
		}
	}
	switch {
	case r.otherServices[name] != nil, r.Preview != nil && r.Preview.Name == name,
		r.CanaryService != nil && r.CanaryService.Name == name,
		r.StableService != nil && r.StableService.Name == name,
		r.GreenService != nil && r.GreenService.Name == name:
		return true
	}
	return false
}

// TrafficServices are the Services whose endpoints status counts: the
// release's own, and every Service of its namespace that a route sending it
// traffic names, ship's among them.
func (r *Release) TrafficServices() []string {
	names := []string{}
	for _, svc := range r.Services {
		names = append(names, svc.Name)
	}
	for _, route := range r.HTTPRoutesTo(r.routeTargets()...) {
		names = append(names, route.Services(r.Stable.Namespace)...)
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// backendWarnings warn of a route's backends of the release that get
// traffic and send it nowhere: a Service that does not exist, or has no
// ready endpoint.
func backendWarnings(st RouteStatus) []string {
	var out []string
	seen := map[string]bool{}
	for _, rule := range st.Rules {
		for _, b := range rule.Backends {
			if b.Weight == 0 || seen[b.Service] {
				continue
			}
			switch {
			case b.Missing:
				out = append(out, fmt.Sprintf("httproute %s sends traffic to service %s, which does not exist: those requests fail", st.Name, b.Service))
			case b.ReadyEndpoints != nil && *b.ReadyEndpoints == 0:
				out = append(out, fmt.Sprintf("httproute %s sends traffic to service %s, which has no ready endpoints: those requests fail", st.Name, b.Service))
			default:
				continue
			}
			seen[b.Service] = true
		}
	}
	return out
}

// sendsNowhere reports whether a route gives traffic to a backend that
// cannot take it, or does not resolve its references.
func (st RouteStatus) sendsNowhere() bool {
	for _, p := range st.Parents {
		if strings.HasPrefix(p.ResolvedRefs, "False") {
			return true
		}
	}
	for _, rule := range st.Rules {
		for _, b := range rule.Backends {
			if b.Weight > 0 && (b.Missing || b.ReadyEndpoints != nil && *b.ReadyEndpoints == 0) {
				return true
			}
		}
	}
	return st.Missing
}

// resolvedRefs reads a parent's ResolvedRefs condition, warning when it is
// False: the Gateway refuses the route's backends (a ReferenceGrant
// missing, a backend not found).
func resolvedRefs(route *HTTPRoute, p RouteParentStatus, warnings []string) (string, []string) {
	c := meta.FindStatusCondition(p.Conditions, "ResolvedRefs")
	if c == nil {
		return "", warnings
	}
	if c.Status != "False" {
		return string(c.Status), warnings
	}
	warnings = append(warnings, fmt.Sprintf("httproute %s: gateway %s reports ResolvedRefs=False/%s: %s", route.Name(), p.ParentRef.Name, c.Reason, c.Message))
	return "False/" + c.Reason, warnings
}

// canaryShare is the share of a route's traffic that reaches the canary in
// its first rule that sends traffic to the release and matches no header
// (header rules take only the requests that carry it), else in its first
// that sends traffic to the release.
func canaryShare(statuses []RouteRuleStatus, rules []HTTPRouteRule) *float64 {
	var first *float64
	for i, st := range statuses {
		if st.CanaryShare == nil {
			continue
		}
		headers := false
		for _, m := range rules[i].Matches {
			headers = headers || len(m.Headers) > 0
		}
		if !headers {
			return st.CanaryShare
		}
		if first == nil {
			first = st.CanaryShare
		}
	}
	return first
}

// goneRoute is the route the release runs through when it was read and is
// not found (deleted), and the warning that says what abort then does.
func (r *Release) goneRoute(ref RouteRef, routed bool) (*RouteStatus, string) {
	if !routed || !r.routesRead[ref.Kind+"/"+ref.In(r.Stable.Namespace).Namespace] && !r.routesRead[ref.Kind+"/"] {
		return nil, ""
	}
	switch {
	case ref.Kind == KindHTTPRoute && r.HTTPRoute(ref) == nil, ref.Kind == KindIngress && r.Ingress(ref.Name) == nil:
	default:
		return nil, ""
	}
	st := &RouteStatus{Kind: ref.Kind, Name: ref.Name, Namespace: ref.Namespace, Drives: true, Missing: true, Rules: []RouteRuleStatus{}}
	if st.Namespace == r.Stable.Namespace {
		st.Namespace = ""
	}
	return st, fmt.Sprintf("%s, which release %s runs through, no longer exists, so no traffic reaches the canary through it: 'kubectl ship abort %s' deletes ship's Services and the canary (a route made again must send traffic to service %s)",
		ref.Relative(r.Stable.Namespace), r.Stable.Name, r.Stable.Name, r.ServiceNames())
}

// MarkRoutesRead records that the routes of kind in namespace ("" for
// every namespace) were read, whatever their number: a route the release
// runs through that is not among them is gone.
func (r *Release) MarkRoutesRead(kind, namespace string) {
	if r.routesRead == nil {
		r.routesRead = map[string]bool{}
	}
	r.routesRead[kind+"/"+namespace] = true
}
