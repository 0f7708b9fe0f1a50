package release

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RouteStatus is a route that sends traffic to the release: the Gateways it
// attaches to and whether they accepted it, and each rule with its matches
// and its backends' weights.
type RouteStatus struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Namespace is set when the route is in another namespace.
	Namespace string `json:"namespace,omitempty"`
	// Drives says the release's canary (or green) runs through the route;
	// CanaryWeight is then the share of its traffic they get, in percent.
	Drives       bool     `json:"drives,omitempty"`
	CanaryWeight *float64 `json:"canaryWeight,omitempty"`
	// CanaryShare is the share of the route's traffic that reaches the
	// canary's (or green's) pods, weights and endpoints together, in the
	// first rule that matches no header: another route to the release's
	// Service gives the canary its share of that Service's pods.
	CanaryShare *float64 `json:"canaryShare,omitempty"`
	// Missing says the route the release runs through was not found.
	Missing bool              `json:"missing,omitempty"`
	Parents []RouteParent     `json:"parents,omitempty"`
	Rules   []RouteRuleStatus `json:"rules"`
}

// RouteParent is a Gateway (or other parent) a route attaches to, and
// whether its controller reports that it accepted the route.
type RouteParent struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace,omitempty"`
	SectionName string `json:"sectionName,omitempty"`
	Accepted    bool   `json:"accepted"`
	// ResolvedRefs is the parent's ResolvedRefs condition: "True", or
	// "False/REASON" (RefNotPermitted, BackendNotFound); "" unreported.
	ResolvedRefs string `json:"resolvedRefs,omitempty"`
}

// RouteRuleStatus is one rule of a route: what it matches ("PathPrefix
// /api, GET, header X-Canary=always") and where it sends it.
type RouteRuleStatus struct {
	Matches  []string       `json:"matches,omitempty"`
	Backends []RouteBackend `json:"backends"`
	// CanaryShare is the share of the rule's traffic that reaches the
	// canary's (or green's) pods, when the rule sends traffic to the
	// release.
	CanaryShare *float64 `json:"canaryShare,omitempty"`
}

// RouteBackend is one backend of a rule, with its weight and its share of
// the rule's traffic in percent; Role is that of ship's Services.
type RouteBackend struct {
	Service string  `json:"service"`
	Role    string  `json:"role,omitempty"`
	Weight  int32   `json:"weight"`
	Percent float64 `json:"percent"`
	// Missing says no such Service exists; ReadyEndpoints counts its ready
	// endpoints (for a Service of the release's namespace).
	Missing        bool `json:"missing,omitempty"`
	ReadyEndpoints *int `json:"readyEndpoints,omitempty"`
}

// RouteServing is the color a blue-green release serves through a route:
// green while ship's green Service exists, as the route then sends it the
// traffic.
func (r *Release) RouteServing() (Color, bool) {
	if r.GreenService == nil {
		return "", false
	}
	return Green, true
}

// routeStatuses describes the routes read that send traffic to the release
// (or to ship's Services for it, even gone), with what reaches the canary
// through each, and warns of those no Gateway accepted, of backends that
// send traffic nowhere, and of a route the release runs through that is
// gone.
func routeStatuses(r *Release, ep *Endpoints) ([]RouteStatus, []string) {
	ns := r.Stable.Namespace
	recorded, routed := r.RecordedRoute()
	roles := r.serviceRoles()
	var out []RouteStatus
	var warnings []string
	for _, route := range r.HTTPRoutesTo(r.routeTargets()...) {
		st, said := httpRouteStatus(route, ns, routed && route.Ref(ns) == recorded.Relative(ns), roles, &serviceView{rel: r, ep: ep})
		if _, driven := r.RecordedRoute(); driven && !st.Drives && st.CanaryShare != nil && r.Canary != nil {
			said = append(said, fmt.Sprintf("httproute %s sends traffic to the release outside the weight of the route it runs through: %s of its requests reach the canary",
				route.Name(), percent(*st.CanaryShare)))
		}
		warnings = append(warnings, said...)
		out = append(out, st)
	}
	if gone, warning := r.goneRoute(recorded, routed); gone != nil {
		out, warnings = append(out, *gone), append(warnings, warning)
	}
	if ing := r.CanaryIngress; ing != nil && routed && recorded.Kind == KindIngress {
		out = append(out, ingressStatus(ing, recorded.Name, r.Services, roles))
	}
	return out, warnings
}

// httpRouteStatus describes route as seen from namespace ns, where roles
// name ship's Services and view (nil: not read) their endpoints; drives
// says the release runs through it. It warns of backends that send
// traffic nowhere and of a route no Gateway accepted.
func httpRouteStatus(route *HTTPRoute, ns string, drives bool, roles map[string]string, view *serviceView) (RouteStatus, []string) {
	var warnings []string
	st := RouteStatus{Kind: KindHTTPRoute, Name: route.Name(), Drives: drives}
	if route.Namespace() != ns {
		st.Namespace = route.Namespace()
	}
	accepted := false
	for _, ref := range route.Spec.ParentRefs {
		parent := RouteParent{Name: ref.Name, Namespace: deref(ref.Namespace), SectionName: deref(ref.SectionName)}
		for _, p := range route.Status.Parents {
			if p.ParentRef.Name == ref.Name && deref(p.ParentRef.Namespace) == parent.Namespace && deref(p.ParentRef.SectionName) == parent.SectionName {
				parent.Accepted = p.Accepted()
				parent.ResolvedRefs, warnings = resolvedRefs(route, p, warnings)
			}
		}
		st.Parents = append(st.Parents, parent)
		accepted = accepted || parent.Accepted
	}
	for _, rule := range route.Spec.Rules {
		st.Rules = append(st.Rules, ruleStatus(rule, route.Namespace(), ns, roles, view))
	}
	st.CanaryWeight = shipWeight(st)
	st.CanaryShare = canaryShare(st.Rules, route.Spec.Rules)
	warnings = append(warnings, backendWarnings(st)...)
	switch {
	case accepted:
	case st.CanaryWeight != nil:
		warnings = append(warnings, fmt.Sprintf("httproute %s: the route says %s but no gateway has accepted it", route.Name(), percent(*st.CanaryWeight)))
	default:
		warnings = append(warnings, fmt.Sprintf("httproute %s: no gateway has accepted it, so it carries no traffic", route.Name()))
	}
	return st, warnings
}

// serviceRoles are the roles of the Services a route may send the
// release's traffic to: its own (no role) and ship's, by name, those gone
// too.
func (r *Release) serviceRoles() map[string]string {
	name := r.Stable.Name
	roles := map[string]string{CanaryName(name): RoleCanary, StableServiceName(name): RoleStable, GreenName(name): RoleGreen}
	for _, svc := range r.Services {
		roles[svc.Name] = ""
	}
	return roles
}

// routeTargets are the Services whose routes are the release's: its own,
// and ship's for it, whether they exist or not.
func (r *Release) routeTargets() []string {
	names := ShipServiceNames(r.Stable.Name)
	for _, svc := range r.Services {
		names = append(names, svc.Name)
	}
	return names
}

func ruleStatus(rule HTTPRouteRule, routeNamespace, ns string, roles map[string]string, view *serviceView) RouteRuleStatus {
	var rs RouteRuleStatus
	for _, m := range rule.Matches {
		rs.Matches = append(rs.Matches, describeMatch(m))
	}
	var total int32
	for _, b := range rule.BackendRefs {
		total += b.WeightOf()
	}
	var share float64
	reaches := false
	for _, b := range rule.BackendRefs {
		local := b.Service(routeNamespace, ns)
		name := local
		if name == "" {
			name = b.Name // another kind, or namespace: shown as named
		}
		backend := RouteBackend{Service: name, Role: roles[name], Weight: b.WeightOf()}
		if _, ours := roles[local]; ours && local != "" && view != nil {
			reaches = true
			share += view.describe(&backend) * float64(b.WeightOf())
		}
		if total > 0 {
			backend.Percent = 100 * float64(b.WeightOf()) / float64(total)
		}
		rs.Backends = append(rs.Backends, backend)
	}
	if reaches && total > 0 && view.judges() {
		share = 100 * share / float64(total)
		rs.CanaryShare = &share
	}
	return rs
}

// describeMatch is "PathPrefix /api, GET, header X-Canary=always, query
// v=2": a header or query matched by a regular expression shows ~.
func describeMatch(m HTTPRouteMatch) string {
	var parts []string
	if m.Path != nil {
		parts = append(parts, strings.TrimSpace(m.Path.Type+" "+m.Path.Value))
	}
	if m.Method != "" {
		parts = append(parts, m.Method)
	}
	for _, list := range []struct {
		word    string
		matches []HeaderMatch
	}{{"header", m.Headers}, {"query", m.QueryParams}} {
		for _, h := range list.matches {
			op := "="
			if h.Type == "RegularExpression" {
				op = "~"
			}
			parts = append(parts, list.word+" "+h.Name+op+h.Value)
		}
	}
	return strings.Join(parts, ", ")
}

// shipWeight is the canary's (or green's) share of a route's traffic: in
// the first rule that splits it between ship's Service and another.
func shipWeight(st RouteStatus) *float64 {
	for _, rule := range st.Rules {
		for _, b := range rule.Backends {
			if (b.Role == RoleCanary || b.Role == RoleGreen) && len(rule.Backends) > 1 {
				p := b.Percent
				return &p
			}
		}
	}
	return nil
}

func percent(p float64) string {
	return strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64) + "%"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
