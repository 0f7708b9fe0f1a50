package route

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// httpRouteCanary plans the route's part of a canary through an HTTPRoute:
// the rules that send traffic to the user's Service split by weight between
// the track Services, after the header rules. The rules as they were go on
// the canary's Service, to be put back exactly when the canary ends.
func httpRouteCanary(rel *release.Release, route *release.HTTPRoute, tracks *TrackServices, share Share, plan *plans.Plan) ([]plans.Step, error) {
	split := splitFor(rel, route, tracks.Service.Name)
	split.StableWeight, split.CanaryWeight, split.Matches = int64(share.Total-share.Weight), int64(share.Weight), httproute.HeaderMatches(share.Header, share.Cookie)
	names := []string{tracks.canary.Name}
	if tracks.Stable != nil {
		split.Stable = tracks.Stable.Name
		names = append(names, tracks.Stable.Name)
	}
	if err := CheckGranted(rel, route, names...); err != nil {
		return nil, err
	}
	var saved []any
	if rec, ok := rel.Recorded(release.RoleCanary); ok {
		saved = rec.Rules
	}
	original, note := split.OriginalRules(route, saved)
	if note != "" {
		plan.Notes = append(plan.Notes, note)
	}
	if gone := droppedMatches(split, httproute.RulesOf(route.Object), share); len(gone) > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: the route's rules that send %s to the canary go, as this command does not ask for them: give %s again to keep them",
			strings.Join(gone, " and "), strings.Join(matchFlags(gone), " ")))
	}
	rules, err := split.Rules(route.Name(), original)
	if err != nil {
		return nil, err
	}
	if tracks.canary.Annotations[release.AnnotationRouteRules], err = httproute.EncodeRules(original); err != nil {
		return nil, err
	}
	plan.Route = &release.RouteRecord{Route: route.Ref(rel.Stable.Namespace).String(), Role: release.RoleCanary, Rules: original}
	if warning := Unaccepted(route, share.String()); warning != "" {
		plan.Notes = append(plan.Notes, "warning: "+warning)
	}
	step, err := httproute.Patch(route, rules, fmt.Sprintf("send %s of the traffic of service %s to the canary", share, tracks.Service.Name))
	if err != nil || step == nil {
		return nil, err
	}
	return []plans.Step{*step}, nil
}

// splitFor is how route's rules share the traffic of Service service between
// ship's track Services, as far as they exist or the route names them (the
// stable track is the user's Service itself until ship makes one of its
// own).
func splitFor(rel *release.Release, route *release.HTTPRoute, service string) httproute.Split {
	name := rel.Stable.Name
	s := httproute.Split{RouteNamespace: route.Namespace(), Namespace: rel.Stable.Namespace, Service: service,
		Stable: service, Canary: release.CanaryName(name)}
	if rel.StableService != nil || slices.Contains(route.Services(rel.Stable.Namespace), release.StableServiceName(name)) {
		s.Stable = release.StableServiceName(name)
	}
	return s
}

// Unaccepted warns that a route carries no traffic when no parent (Gateway)
// reports it Accepted; "" when one does.
func Unaccepted(route *release.HTTPRoute, weight string) string {
	for _, p := range route.Status.Parents {
		if p.Accepted() {
			return ""
		}
	}
	return fmt.Sprintf("httproute %s says %s but no gateway has accepted it, so it carries no traffic yet", route.Name(), weight)
}

// CurrentWeight is the weight the route gives the canary now, out of its
// total: from the first rule that splits traffic between the tracks.
func (t *Target) CurrentWeight(rel *release.Release) (int32, int32, bool) {
	if rel.CanaryService == nil {
		return 0, 0, false
	}
	if ing := rel.CanaryIngress; t.Ingress != nil && ing != nil {
		w, err := strconv.ParseInt(ing.Annotations[nginxCanaryWeight], 10, 32)
		total, errT := strconv.ParseInt(ing.Annotations[nginxCanaryWeightTotal], 10, 32)
		if errT != nil {
			total = 100
		}
		return int32(w), int32(total), err == nil
	}
	if t.HTTP == nil {
		return 0, 0, false
	}
	return t.HTTP.SplitTo(rel.Stable.Namespace, rel.CanaryService.Name)
}

// routedService is the Service of the release the route's rules (as they
// were before ship changed them) send traffic to.
func routedService(rel *release.Release, route *release.HTTPRoute, rules []any) *corev1.Service {
	for _, svc := range rel.Services {
		s := splitFor(rel, route, svc.Name)
		for _, r := range rules {
			refs, _ := r.(map[string]any)["backendRefs"].([]any)
			for _, ref := range refs {
				if s.ServiceOf(ref) == svc.Name {
					return svc
				}
			}
		}
	}
	return nil
}

// droppedMatches describes the header and cookie matches of ship's rules in
// the route ("header X-Canary=always", "cookie beta") that share does not ask
// for again: a resize without --header would take the testers' rule out.
func droppedMatches(split httproute.Split, rules []any, share Share) []string {
	asked := map[string]bool{}
	for _, m := range httproute.HeaderMatches(share.Header, share.Cookie) {
		asked[describeHeader(m)] = true
	}
	var gone []string
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		refs, _ := rule["backendRefs"].([]any)
		if len(refs) == 0 || slices.ContainsFunc(refs, func(ref any) bool { return split.ServiceOf(ref) != split.Canary }) {
			continue // not one of ship's header rules
		}
		matches, _ := rule["matches"].([]any)
		for _, m := range matches {
			headers, _ := m.(map[string]any)["headers"].([]any)
			if len(headers) == 0 {
				continue
			}
			// ship adds its header match last.
			h, _ := headers[len(headers)-1].(map[string]any)
			if d := describeHeader(h); !asked[d] && !slices.Contains(gone, d) {
				gone = append(gone, d)
			}
		}
	}
	return gone
}

// describeHeader is a header match of ship's as the flags give it: "cookie
// beta", "header X-Canary=always", "header X-User~^a".
func describeHeader(h map[string]any) string {
	name, _ := h["name"].(string)
	value, _ := h["value"].(string)
	if cookie, ok := strings.CutPrefix(value, `(^|;\s*)`); ok && name == "Cookie" && strings.HasSuffix(cookie, `=always(;|$)`) {
		return "cookie " + strings.ReplaceAll(strings.TrimSuffix(cookie, `=always(;|$)`), `\`, "")
	}
	if h["type"] == "RegularExpression" {
		return "header " + name + "~" + value
	}
	return "header " + name + "=" + value
}

// matchFlags are the flags that ask for matches again.
func matchFlags(described []string) []string {
	out := make([]string, len(described))
	for i, d := range described {
		kind, value, _ := strings.Cut(d, " ")
		out[i] = "--" + kind + " " + value
	}
	return out
}
