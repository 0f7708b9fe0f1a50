package strategy

import (
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// httpRouteCanary plans the route's part of a canary through an HTTPRoute:
// the rules that send traffic to the user's Service split by weight between
// the track Services, after the header rules. The rules as they were go on
// the canary's Service, to be put back exactly when the canary ends.
func httpRouteCanary(rel *release.Release, route *release.HTTPRoute, tracks *trackServices, weight, total int32, req CanaryRequest, plan *Plan) ([]Step, error) {
	split := splitFor(rel, route, tracks.service.Name)
	split.stableWeight, split.canaryWeight, split.matches = int64(total-weight), int64(weight), headerMatches(req)
	names := []string{tracks.canary.Name}
	if tracks.stable != nil {
		split.stable = tracks.stable.Name
		names = append(names, tracks.stable.Name)
	}
	if err := granted(rel, route, names...); err != nil {
		return nil, err
	}
	var saved []any
	if rec, ok := rel.Recorded(release.RoleCanary); ok {
		saved = rec.Rules
	}
	original, note := split.originalRules(route, saved)
	if note != "" {
		plan.Notes = append(plan.Notes, note)
	}
	rules, err := split.rules(route.Name(), original)
	if err != nil {
		return nil, err
	}
	if tracks.canary.Annotations[release.AnnotationRouteRules], err = encodeRules(original); err != nil {
		return nil, err
	}
	plan.Route = &release.RouteRecord{Route: route.Ref(rel.Stable.Namespace).String(), Role: release.RoleCanary, Rules: original}
	if warning := unaccepted(route, weightString(weight, total)); warning != "" {
		plan.Notes = append(plan.Notes, "warning: "+warning)
	}
	step, err := routePatch(route, rules, fmt.Sprintf("send %s of the traffic of service %s to the canary", weightString(weight, total), tracks.service.Name))
	if err != nil || step == nil {
		return nil, err
	}
	return []Step{*step}, nil
}

// splitFor is how route's rules share the traffic of Service service between
// ship's track Services, as far as they exist or the route names them (the
// stable track is the user's Service itself until ship makes one of its
// own).
func splitFor(rel *release.Release, route *release.HTTPRoute, service string) routeSplit {
	name := rel.Stable.Name
	s := routeSplit{routeNamespace: route.Namespace(), namespace: rel.Stable.Namespace, service: service,
		stable: service, canary: release.CanaryName(name)}
	if rel.StableService != nil || slices.Contains(route.Services(rel.Stable.Namespace), release.StableServiceName(name)) {
		s.stable = release.StableServiceName(name)
	}
	return s
}

// unaccepted warns that a route carries no traffic when no parent (Gateway)
// reports it Accepted; "" when one does.
func unaccepted(route *release.HTTPRoute, weight string) string {
	for _, p := range route.Status.Parents {
		if p.Accepted() {
			return ""
		}
	}
	return fmt.Sprintf("httproute %s says %s but no gateway has accepted it, so it carries no traffic yet", route.Name(), weight)
}

// currentWeight is the weight the route gives the canary now, out of its
// total: from the first rule that splits traffic between the tracks.
func currentWeight(rel *release.Release, target *routeTarget) (int32, int32, bool) {
	if rel.CanaryService == nil {
		return 0, 0, false
	}
	if ing := rel.CanaryIngress; target.ingress != nil && ing != nil {
		w, err := strconv.ParseInt(ing.Annotations[nginxCanaryWeight], 10, 32)
		t, errT := strconv.ParseInt(ing.Annotations[nginxCanaryWeightTotal], 10, 32)
		if errT != nil {
			t, errT = 100, nil
		}
		return int32(w), int32(t), err == nil
	}
	if target.http == nil {
		return 0, 0, false
	}
	ns := rel.Stable.Namespace
	for _, rule := range target.http.Spec.Rules {
		var canary, sum int32
		found := false
		for _, b := range rule.BackendRefs {
			sum += b.WeightOf()
			if b.Service(target.http.Namespace(), ns) == rel.CanaryService.Name {
				canary, found = b.WeightOf(), true
			}
		}
		if found && len(rule.BackendRefs) == 2 {
			return canary, sum, true
		}
	}
	return 0, 0, false
}

// routedService is the Service of the release the route's rules (as they
// were before ship changed them) send traffic to.
func routedService(rel *release.Release, route *release.HTTPRoute, rules []any) *corev1.Service {
	for _, svc := range rel.Services {
		s := splitFor(rel, route, svc.Name)
		for _, r := range rules {
			refs, _ := r.(map[string]any)["backendRefs"].([]any)
			for _, ref := range refs {
				if s.serviceOf(ref) == svc.Name {
					return svc
				}
			}
		}
	}
	return nil
}
