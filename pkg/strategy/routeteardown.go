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
	var steps []Step
	var notes []string
	ref, routed := rel.RecordedRoute()
	if route := rel.HTTPRoute(ref); routed && ref.Kind == release.KindHTTPRoute && route != nil {
		saved := savedRules(rel.CanaryService)
		svc := routedService(rel, route, saved)
		if svc == nil {
			svc = routedService(rel, route, rulesOf(route.Object))
		}
		if svc == nil {
			return nil, nil, fmt.Errorf("httproute %s sends traffic to none of the services of release %s (%s): put it back by hand, then run the command again",
				route.Name(), rel.Stable.Name, rel.ServiceNames())
		}
		original, note := splitFor(rel, route, svc.Name).originalRules(route, saved)
		if note != "" {
			notes = append(notes, note)
		}
		step, err := routePatch(route, original, "put the route back as it was before the canary")
		if err != nil {
			return nil, nil, err
		}
		if step != nil {
			steps = append(steps, waitForTraffic(svc), *step)
		}
	}
	if ing := rel.CanaryIngress; ing != nil {
		if svc, err := rel.Service(); err == nil {
			steps = append(steps, waitForTraffic(svc))
		}
		steps = append(steps, Step{Action: Delete, Object: ing, Operation: "deleted", Reason: "ingress-nginx sends the canary's share back to the stable pods"})
	}
	return append(steps, removeTrackServices(rel)...), notes, nil
}

// waitForTraffic waits until svc has ready endpoints, before a route sends
// it traffic.
func waitForTraffic(svc *corev1.Service) Step {
	return waitFor(svc, EndpointsReady, fmt.Sprintf("wait until service %s has ready endpoints, before the route sends it traffic", svc.Name))
}
