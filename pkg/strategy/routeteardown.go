package strategy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// routeTeardown plans taking a canary off its route, before the canary
// goes: the HTTPRoute back to its rules as they were before the canary (or
// ship's canary Ingress deleted), once the user's Service has ready
// endpoints, then ship's track Services deleted. Nothing is planned for a
// release that runs through no route.
func routeTeardown(rel *release.Release) ([]Step, []string, error) {
	steps, notes, err := restoreRoute(rel, rel.CanaryService, release.CanaryName(rel.Stable.Name))
	if err != nil {
		return nil, nil, err
	}
	if ing := rel.CanaryIngress; ing != nil {
		if svc, err := rel.Service(); err == nil {
			steps = append(steps, waitForTraffic(svc))
		}
		steps = append(steps, Step{Action: Delete, Object: ing, Operation: "deleted", Reason: "ingress-nginx sends the canary's share back to the stable pods"})
	}
	return append(steps, removeTrackServices(rel)...), notes, nil
}

// greenTeardown plans taking green off the route a blue-green release
// switched through: the route back as it was, once the user's Service has
// ready endpoints, then ship's green Service deleted.
func greenTeardown(rel *release.Release) ([]Step, []string, error) {
	steps, notes, err := restoreRoute(rel, rel.GreenService, release.GreenName(rel.Stable.Name))
	if err == nil && rel.GreenService != nil {
		steps = append(steps, Step{Action: Delete, Object: rel.GreenService, Operation: "deleted", Reason: "the route no longer sends it traffic"})
	}
	return steps, notes, err
}

// restoreRoute plans putting back the HTTPRoute that holder (ship's Service
// for it) records, with its rules as they were before ship sent traffic to
// backend: once the Service it then sends traffic to has ready endpoints.
func restoreRoute(rel *release.Release, holder *corev1.Service, backend string) ([]Step, []string, error) {
	if holder == nil {
		return nil, nil, nil
	}
	ref, err := release.ParseRouteRef(holder.Annotations[release.AnnotationRoute])
	route := rel.HTTPRoute(ref)
	if err != nil || ref.Kind != release.KindHTTPRoute || route == nil {
		return nil, nil, nil
	}
	saved := savedRules(holder)
	svc := routedService(rel, route, saved)
	if svc == nil {
		svc = routedService(rel, route, rulesOf(route.Object))
	}
	if svc == nil {
		return nil, nil, fmt.Errorf("httproute %s sends traffic to none of the services of release %s (%s): put it back by hand, then run the command again",
			route.Name(), rel.Stable.Name, rel.ServiceNames())
	}
	split := splitFor(rel, route, svc.Name)
	split.canary = backend
	original, note := split.originalRules(route, saved)
	var notes []string
	if note != "" {
		notes = append(notes, note)
	}
	step, err := routePatch(route, original, "put the route back as it was")
	if err != nil || step == nil {
		return nil, notes, err
	}
	return []Step{waitForTraffic(svc), *step}, notes, nil
}

// waitForTraffic waits until svc has ready endpoints, before a route sends
// it traffic.
func waitForTraffic(svc *corev1.Service) Step {
	return waitFor(svc, EndpointsReady, fmt.Sprintf("wait until service %s has ready endpoints, before the route sends it traffic", svc.Name))
}
