package release

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// AnnotationRouteRecord is where a release's lock keeps the RouteRecord of
// the route an operation changed, until the route is put back.
const AnnotationRouteRecord = prefix + "route-record"

// RouteRecord is the way back of a route ship changed: the route, the role
// of ship's Service it sends traffic to (canary or green), and, of an
// HTTPRoute, its rules as they were. Ship keeps it twice: on that Service
// (AnnotationRoute, AnnotationRouteRules) and in the release's record, so
// that abort and promote put the route back whatever of ship's objects
// someone deleted.
type RouteRecord struct {
	Route string `json:"route"`
	Role  string `json:"role"`
	Rules []any  `json:"rules,omitempty"`
}

// Ref is the route the record names.
func (r *RouteRecord) Ref() (RouteRef, bool) {
	if r == nil {
		return RouteRef{}, false
	}
	ref, err := ParseRouteRef(r.Route)
	return ref, err == nil
}

// Encode is the record as the release's lock keeps it.
func (r *RouteRecord) Encode() string {
	raw, _ := json.Marshal(r)
	return string(raw)
}

// ParseRouteRecord reads a record kept by a release's lock; nil for none,
// or one unreadable.
func ParseRouteRecord(raw string) *RouteRecord {
	if raw == "" {
		return nil
	}
	var r RouteRecord
	// util/json, not encoding/json: its numbers are int64 where they are
	// whole, as in the objects the API server returns.
	if utiljson.Unmarshal([]byte(raw), &r) != nil || r.Route == "" {
		return nil
	}
	return &r
}

// SetRecord gives the release the route record its lock keeps.
func (r *Release) SetRecord(rec *RouteRecord) { r.record = rec }

// Recorded is the way back of the route ship sends to its Service of role
// (canary or green): as that Service keeps it, else as the release's
// record does, else (the route alone, without its rules) as the canary
// does.
func (r *Release) Recorded(role string) (*RouteRecord, bool) {
	holder := r.CanaryService
	if role == RoleGreen {
		holder = r.GreenService
	}
	if holder != nil {
		if ref, err := ParseRouteRef(holder.Annotations[AnnotationRoute]); err == nil {
			return &RouteRecord{Route: ref.String(), Role: role, Rules: savedRules(holder)}, true
		}
	}
	if r.record != nil && r.record.Role == role {
		if _, ok := r.record.Ref(); ok {
			return r.record, true
		}
	}
	if c := r.Canary; c != nil && role == RoleCanary {
		if ref, err := ParseRouteRef(c.Annotations[AnnotationRoute]); err == nil {
			return &RouteRecord{Route: ref.String(), Role: role}, true
		}
	}
	return nil, false
}

// savedRules reads the rules ship saved on svc, or nil.
func savedRules(svc *corev1.Service) []any {
	raw, ok := svc.Annotations[AnnotationRouteRules]
	if !ok {
		return nil
	}
	var rules []any
	if utiljson.Unmarshal([]byte(raw), &rules) != nil {
		return nil
	}
	return rules
}

// dropStaleRecord forgets the release's record of a route once the route
// is back as it was (read, and naming none of ship's Services): a command
// cut short after putting it back left the record behind.
func (r *Release) dropStaleRecord() {
	ref, ok := r.record.Ref()
	if !ok {
		return
	}
	switch ref.Kind {
	case KindIngress:
		if r.CanaryIngress == nil && r.CanaryService == nil {
			r.record = nil
		}
	case KindHTTPRoute:
		route := r.HTTPRoute(ref)
		if route != nil && len(r.shipBackends(route)) == 0 {
			r.record = nil
		}
	}
}

// ShipServiceNames are the names of the Services ship makes for release
// name's routes, whether they exist or not: a route that still names one
// is one ship changed.
func ShipServiceNames(name string) []string {
	return []string{CanaryName(name), StableServiceName(name), GreenName(name)}
}

// shipBackends are the Services of ship's for the release that route
// sends traffic to.
func (r *Release) shipBackends(route *HTTPRoute) []string {
	var out []string
	for _, s := range route.Services(r.Stable.Namespace) {
		for _, own := range ShipServiceNames(r.Stable.Name) {
			if s == own {
				out = append(out, s)
			}
		}
	}
	return out
}

// MissingServices are the Services of ship's that route sends traffic to
// and that do not exist (someone deleted them): the route sends that share
// of its traffic nowhere.
func (r *Release) MissingServices(route *HTTPRoute) []string {
	present := map[string]bool{}
	for _, svc := range []*corev1.Service{r.CanaryService, r.StableService, r.GreenService} {
		if svc != nil {
			present[svc.Name] = true
		}
	}
	var out []string
	for _, name := range r.shipBackends(route) {
		if !present[name] {
			out = append(out, name)
		}
	}
	return out
}
