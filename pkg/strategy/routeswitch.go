package strategy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planRoutedSwitch plans a switch through the HTTPRoute http: to green, a
// Service NAME-green selecting only green's pods, waited for until it has
// ready endpoints, then the route's rules that send traffic to the Service (which
// keeps selecting blue) send weight percent of it (all of it at 100) to
// NAME-green instead; to blue, the route back as it was, then NAME-green
// deleted.
func planRoutedSwitch(rel *release.Release, http *release.HTTPRoute, svc *corev1.Service, p Switch, weight int32) (plans.Plan, error) {
	name, key := rel.Stable.Name, rel.ColorKey()
	to := p.To
	if to == "" {
		to = rel.NewColor()
	}
	if to == "" {
		to = release.Green
	}
	if blue := rel.Stable.Spec.Template.Labels[key]; svc.Spec.Selector[key] != blue {
		return plans.Plan{}, fmt.Errorf("service %s selects %s=%s, not blue's %s: switch it back to blue first with 'kubectl ship bluegreen-switch %s --to blue --route none'",
			svc.Name, key, svc.Spec.Selector[key], blue, name)
	}
	split := httproute.Split{RouteNamespace: http.Namespace(), Namespace: rel.Stable.Namespace, Service: svc.Name,
		Stable: svc.Name, Canary: release.GreenName(name), StableWeight: int64(100 - weight), CanaryWeight: int64(weight)}
	var saved []any
	if rec, ok := rel.Recorded(release.RoleGreen); ok {
		saved = rec.Rules
	}
	original, note := split.OriginalRules(http, saved)
	plan := plans.Plan{Notes: []string{fmt.Sprintf("note: through httproute %s only the route's traffic moves: service %s keeps selecting blue for the clients inside the cluster", http.Name(), svc.Name)}}
	if note != "" {
		plan.Notes = append(plan.Notes, note)
	}
	if to == release.Blue {
		return routedSwitchBack(rel, plan, p)
	}
	if p.ScaleDownDelay > 0 {
		return plans.Plan{}, fmt.Errorf("--scale-down-delay: through httproute %s, service %s still sends the clients inside the cluster to blue: end the release with 'kubectl ship bluegreen cleanup %s --delete' instead", http.Name(), svc.Name, name)
	}
	rules, err := split.Rules(http.Name(), original)
	if err == nil {
		err = route.CheckGranted(rel, http, release.GreenName(name))
	}
	if err != nil {
		return plans.Plan{}, err
	}
	services, err := route.GreenService(rel, http, svc, original, &plan)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = append(plan.Steps, services...)
	step, err := routeToGreen(http, rules, svc, weight)
	if err != nil {
		return plans.Plan{}, err
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	}
	if warning := route.Unaccepted(http, "green"); warning != "" {
		plan.Notes = append(plan.Notes, "warning: "+warning)
	}
	return switchDone(rel, plan, to, p)
}

// routedSwitchBack plans the switch back to blue through the route: the
// route's rules as they were, then NAME-green deleted.
func routedSwitchBack(rel *release.Release, plan plans.Plan, p Switch) (plans.Plan, error) {
	steps, _, err := route.GreenTeardown(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	for i := range steps {
		if steps[i].Action == plans.Patch {
			steps[i].Operation = "switched to blue"
		}
	}
	plan.Steps = append(plan.Steps, steps...)
	_, plan.RouteRestored = rel.Recorded(release.RoleGreen)
	return switchDone(rel, plan, release.Blue, p)
}

// routeToGreen is the patch of the route's rules that sends weight percent
// of the Service's traffic to green; nil when they already do.
func routeToGreen(route *release.HTTPRoute, rules []any, svc *corev1.Service, weight int32) (*plans.Step, error) {
	share, operation := "", "switched to green"
	if weight < 100 {
		share, operation = fmt.Sprintf("%d%% of ", weight), fmt.Sprintf("sends %d%% to green", weight)
	}
	step, err := httproute.Patch(route, rules, fmt.Sprintf("send %sthe traffic of service %s to green", share, svc.Name))
	if step != nil {
		step.Operation = operation
	}
	return step, err
}

// switchDone finishes a routed switch's plan as planSwitch does: nothing to
// do said so, a color that is not ready refused unless forced, and the
// color that stopped serving scaled down after the delay.
func switchDone(rel *release.Release, plan plans.Plan, to release.Color, p Switch) (plans.Plan, error) {
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("the route already sends release %s's traffic to %s: nothing to switch", rel.Stable.Name, to))
		return plan, nil
	}
	if p.ScaleDownDelay > 0 && to == release.Blue {
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Stay, Duration: p.ScaleDownDelay, Reason: fmt.Sprintf("keep green running for %s, to switch back", p.ScaleDownDelay)})
		if step, err := scaleDown(rel.Green, release.Green); err != nil || step != nil {
			if err != nil {
				return plans.Plan{}, err
			}
			plan.Steps = append(plan.Steps, *step)
		}
	}
	plan.Notes = append(plan.Notes, fewerPods(rel, to)...)
	if err := checkReady(rel.Deployment(to), to); err != nil {
		if release.Replicas(rel.Deployment(to)) == 0 || !p.Force {
			return plans.Plan{}, fmt.Errorf("%w: bring it up or wait for it ('kubectl rollout status deployment/%s'), or pass --force", err, rel.Deployment(to).Name)
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: --force: %v; switching anyway, so its clients may get errors", err))
	}
	return plan, nil
}

// greenRouteRefusal refuses what a release whose green serves through a
// route cannot do before the release ends.
func greenRouteRefusal(rel *release.Release, what string) error {
	ref, _ := rel.RecordedRoute()
	return fmt.Errorf("green serves release %s through %s, while the clients inside the cluster still reach blue through service %s: %s; end the release first with 'kubectl ship bluegreen cleanup %s --delete'",
		rel.Stable.Name, ref, rel.ServiceNames(), what, rel.Stable.Name)
}
