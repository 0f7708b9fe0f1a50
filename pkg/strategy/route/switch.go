package route

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// ForSwitch finds the HTTPRoute a blue-green release switches through, as
// ForCanary does for a canary, and the Service whose traffic it moves; nil
// to switch the Services' selectors.
func ForSwitch(rel *release.Release, choice Choice) (*release.HTTPRoute, *corev1.Service, error) {
	names := make([]string, len(rel.Services))
	for i, svc := range rel.Services {
		names[i] = svc.Name
	}
	var svc *corev1.Service
	if ref, routed := rel.RecordedRoute(); choice.Ref != nil || routed {
		if choice.Ref != nil {
			ref = *choice.Ref
		}
		if route := rel.HTTPRoute(ref); route != nil {
			svc = routedService(rel, route, httproute.RulesOf(route.Object))
			if rec, ok := rel.Recorded(release.RoleGreen); ok && rec.Rules != nil {
				svc = routedService(rel, route, rec.Rules)
			}
		}
	} else if routes := rel.HTTPRoutesTo(names...); len(routes) == 1 {
		svc = routedService(rel, routes[0], httproute.RulesOf(routes[0].Object))
	}
	if svc == nil {
		svc = rel.Services[0]
	}
	target, err := ForCanary(rel, svc, choice)
	switch {
	case err != nil || target == nil:
		return nil, nil, err
	case target.Ingress != nil:
		return nil, nil, fmt.Errorf("a blue-green release switches through an HTTPRoute, not through ingress %s: --route none switches the Services", target.Ingress.Name)
	}
	return target.HTTP, svc, nil
}

// GreenService plans the Service NAME-green, selecting only green's pods,
// which keeps the route's original rules for the way back, also recorded in
// plan.
func GreenService(rel *release.Release, route *release.HTTPRoute, svc *corev1.Service, original []any, plan *plans.Plan) ([]plans.Step, error) {
	key := rel.ColorKey()
	green := TrackService(rel, svc, release.GreenName(rel.Stable.Name), release.RoleGreen, withKey(svc.Spec.Selector, key, rel.Green.Spec.Template.Labels[key]))
	green.Annotations[release.AnnotationRoute] = route.Ref(rel.Stable.Namespace).String()
	var err error
	if green.Annotations[release.AnnotationRouteRules], err = httproute.EncodeRules(original); err != nil {
		return nil, err
	}
	plan.Route = &release.RouteRecord{Route: green.Annotations[release.AnnotationRoute], Role: release.RoleGreen, Rules: original}
	return planServices(rel, servicePair{green, rel.GreenService})
}
