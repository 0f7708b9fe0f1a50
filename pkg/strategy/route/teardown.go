package route

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// Teardown plans taking a canary off its route, before the canary
// goes: the HTTPRoute back to its rules as they were before the canary (or
// ship's canary Ingress deleted), once the user's Service has ready
// endpoints, then ship's track Services deleted. Nothing is planned for a
// release that runs through no route.
func Teardown(rel *release.Release) ([]plans.Step, []string, error) {
	steps, notes, err := restoreRoute(rel, release.RoleCanary)
	if err != nil {
		return nil, nil, err
	}
	if ing := rel.CanaryIngress; ing != nil {
		if svc, err := rel.Service(); err == nil {
			steps = append(steps, waitForTraffic(svc))
		}
		steps = append(steps, plans.Step{Action: plans.Delete, Object: ing, Operation: "deleted", Reason: "ingress-nginx sends the canary's share back to the stable pods"})
	}
	return append(steps, removeTrackServices(rel)...), notes, nil
}

// GreenTeardown plans taking green off the route a blue-green release
// switched through: the route back as it was, once the user's Service has
// ready endpoints, then ship's green Service deleted.
func GreenTeardown(rel *release.Release) ([]plans.Step, []string, error) {
	steps, notes, err := restoreRoute(rel, release.RoleGreen)
	if err == nil && rel.GreenService != nil {
		steps = append(steps, plans.Step{Action: plans.Delete, Object: rel.GreenService, Operation: "deleted", Reason: "the route no longer sends it traffic"})
	}
	return steps, notes, err
}

// restoreRoute plans putting back the HTTPRoute ship sends to its Service
// of role (canary or green), with its rules as they were before: once the
// Service it then sends traffic to has ready endpoints. The way back is the
// one that Service keeps, else the one the release's record keeps, so that
// the route goes back whatever of ship's objects someone deleted.
func restoreRoute(rel *release.Release, role string) ([]plans.Step, []string, error) {
	rec, ok := rel.Recorded(role)
	if !ok {
		return nil, nil, nil
	}
	ref, _ := rec.Ref()
	route := rel.HTTPRoute(ref)
	if ref.Kind != release.KindHTTPRoute || route == nil {
		return nil, nil, nil
	}
	svc := routedService(rel, route, rec.Rules)
	if svc == nil {
		svc = routedService(rel, route, httproute.RulesOf(route.Object))
	}
	if svc == nil {
		return nil, nil, fmt.Errorf("httproute %s sends traffic to none of the services of release %s (%s): put it back by hand, then run the command again",
			route.Name(), rel.Stable.Name, rel.ServiceNames())
	}
	split := splitFor(rel, route, svc.Name)
	if role == release.RoleGreen {
		split.Stable, split.Canary = svc.Name, release.GreenName(rel.Stable.Name)
	}
	original, note := split.OriginalRules(route, rec.Rules)
	var notes []string
	if note != "" {
		notes = append(notes, note)
	}
	step, err := httproute.Patch(route, original, "put the route back as it was")
	if err != nil || step == nil {
		return nil, notes, err
	}
	return []plans.Step{waitForTraffic(svc), *step}, notes, nil
}

// MissingBackends says which Services of ship's the route the canary runs
// through still sends traffic to although they are gone, "" for none.
func MissingBackends(rel *release.Release) string {
	rec, ok := rel.Recorded(release.RoleCanary)
	if !ok {
		return ""
	}
	ref, _ := rec.Ref()
	route := rel.HTTPRoute(ref)
	if route == nil {
		return ""
	}
	missing := rel.MissingServices(route)
	if len(missing) == 0 {
		return ""
	}
	if len(missing) > 1 {
		return fmt.Sprintf("httproute %s sends traffic to services %s, which no longer exist", route.Name(), strings.Join(missing, " and "))
	}
	return fmt.Sprintf("httproute %s sends traffic to service %s, which no longer exists", route.Name(), missing[0])
}

// waitForTraffic waits until svc has ready endpoints, before a route sends
// it traffic.
func waitForTraffic(svc *corev1.Service) plans.Step {
	return plans.WaitFor(svc, plans.EndpointsReady, fmt.Sprintf("wait until service %s has ready endpoints, before the route sends it traffic", svc.Name))
}
