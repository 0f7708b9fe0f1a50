package strategy

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planSwitch plans pointing every Service of rel at color to, all at once,
// then waiting until their EndpointSlices list only that color's pods. With
// no color given it goes to the one the last bluegreen brought up (the idle
// one when that is not recorded): a fixed target, so running the command
// again after an interruption converges instead of switching back. It
// refuses a color that is not fully available unless force is set. With a
// scaleDownDelay the plan then stays that long, holding the release, and
// scales the color that stopped serving to zero.
func planSwitch(rel *release.Release, to release.Color, force bool, scaleDownDelay time.Duration) (plans.Plan, error) {
	name := rel.Stable.Name
	if rel.Green == nil {
		return plans.Plan{}, fmt.Errorf("release %s has no green deployment: start a blue-green release with 'kubectl ship bluegreen %s --image IMAGE'", name, name)
	}
	key := rel.ColorKey()
	to, err := switchTarget(rel, to)
	if err != nil {
		return plans.Plan{}, err
	}
	target := rel.Deployment(to)
	value := target.Spec.Template.Labels[key]
	var plan plans.Plan
	for _, svc := range rel.Services {
		next := svc.DeepCopy()
		next.Spec.Selector[key] = value
		step, err := patchStep(svc, next, corev1.Service{}, "switched to "+string(to), fmt.Sprintf("route to %s's pods (%s=%s)", to, key, value))
		if err != nil {
			return plans.Plan{}, err
		}
		if step != nil {
			plan.Steps = append(plan.Steps, *step, waitFor(next, plans.EndpointsSelected, "wait until the endpoints list only "+string(to)+"'s pods"))
		}
	}
	if len(plan.Steps) == 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("service %s already routes to %s: nothing to switch", rel.ServiceNames(), to))
		return plan, nil
	}
	plan.Notes = append(plan.Notes, fewerPods(rel, to)...)
	if scaleDownDelay > 0 {
		old := rel.Deployment(to.Other())
		plan.Notes = append(plan.Notes, fmt.Sprintf("after the switch, %s (deployment %s) keeps running for %s, then is scaled to zero; Ctrl-C, or any kubectl ship command on the release, keeps it running",
			to.Other(), old.Name, scaleDownDelay))
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Stay, Duration: scaleDownDelay, Reason: fmt.Sprintf("keep %s running for %s, to switch back", to.Other(), scaleDownDelay)})
		if step, err := scaleDown(old, to.Other()); err != nil || step != nil {
			if err != nil {
				return plans.Plan{}, err
			}
			plan.Steps = append(plan.Steps, *step)
		}
	}
	if err := ready(target, to); err != nil {
		switch {
		case release.Replicas(target) == 0:
			// Not even --force: the Services would have no endpoints at all.
			return plans.Plan{}, fmt.Errorf("%w: bring it up first ('kubectl ship bluegreen %s --image IMAGE', or scale it)", err, name)
		case force:
		default:
			return plans.Plan{}, fmt.Errorf("%w: wait for it ('kubectl rollout status deployment/%s') or pass --force", err, target.Name)
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: --force: %v; switching anyway, so its clients may get errors", err))
	}
	return plan, nil
}

// fewerPods warns, before a switch to color to, that it runs fewer pods
// than the color serving now: they would take all of its traffic.
func fewerPods(rel *release.Release, to release.Color) []string {
	target, other := rel.Deployment(to), rel.Deployment(to.Other())
	if n, serving := release.Replicas(target), release.Replicas(other); n > 0 && n < serving {
		return []string{fmt.Sprintf("warning: %s (deployment %s) runs %d %s, and %s serves with %d: after the switch, what %d pods serve goes to %d; scale it first ('kubectl scale deployment/%s --replicas %d')",
			to, target.Name, n, release.Plural(n, "pod"), to.Other(), serving, serving, n, target.Name, serving)}
	}
	return nil
}

// switchTarget is the color a switch goes to: to, else the one the last
// bluegreen brought up, else the idle one.
func switchTarget(rel *release.Release, to release.Color) (release.Color, error) {
	if to == "" {
		to = rel.NewColor()
	}
	if to != "" {
		return to, nil
	}
	serving, err := rel.Serving(rel.ColorKey())
	return serving.Other(), err
}

// scaleDown scales the Deployment of color c to zero, or returns nil when
// it has no pods.
func scaleDown(d *appsv1.Deployment, c release.Color) (*plans.Step, error) {
	if release.Replicas(d) == 0 {
		return nil, nil
	}
	next := d.DeepCopy()
	next.Spec.Replicas = new(int32)
	return patchStep(d, next, appsv1.Deployment{}, "scaled", fmt.Sprintf("%s is idle", c))
}

// ready checks that every desired pod of d runs its current template and is
// available, and that there is at least one.
func ready(d *appsv1.Deployment, c release.Color) error {
	msg, done, err := release.RolloutStatus(d)
	switch {
	case err != nil:
		return fmt.Errorf("%s is not ready: %v", c, err)
	case !done:
		return fmt.Errorf("%s is not ready: %s", c, msg)
	case release.Replicas(d) == 0:
		return fmt.Errorf("%s is not ready: deployment %s has 0 replicas", c, d.Name)
	}
	return nil
}
