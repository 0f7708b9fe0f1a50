package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// PlanSwitch plans pointing every Service of rel at color to, all at once,
// then waiting until their EndpointSlices list only that color's pods. With
// no color given it goes to the one the last bluegreen brought up (the idle
// one when that is not recorded): a fixed target, so running the command
// again after an interruption converges instead of switching back. It
// refuses a color that is not fully available unless force is set.
func PlanSwitch(rel *release.Release, to release.Color, force bool) (Plan, error) {
	name := rel.Stable.Name
	if rel.Green == nil {
		return Plan{}, fmt.Errorf("release %s has no green deployment: start a blue-green release with 'kubectl ship bluegreen %s --image IMAGE'", name, name)
	}
	key := rel.ColorKey()
	if to == "" {
		to = rel.NewColor()
	}
	if to == "" {
		serving, err := rel.Serving(key)
		if err != nil {
			return Plan{}, err
		}
		to = serving.Other()
	}
	target := rel.Deployment(to)
	value := target.Spec.Template.Labels[key]
	var plan Plan
	for _, svc := range rel.Services {
		next := svc.DeepCopy()
		next.Spec.Selector[key] = value
		step, err := patchStep(svc, next, corev1.Service{}, "switched to "+string(to), fmt.Sprintf("route to %s's pods (%s=%s)", to, key, value))
		if err != nil {
			return Plan{}, err
		}
		if step != nil {
			plan.Steps = append(plan.Steps, *step, Step{Action: Wait, Object: next, Reason: "wait until the endpoints list only " + string(to) + "'s pods"})
		}
	}
	if len(plan.Steps) == 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("service %s already routes to %s: nothing to switch", rel.ServiceNames(), to))
		return plan, nil
	}
	if err := ready(target, to); err != nil {
		switch {
		case release.Replicas(target) == 0:
			// Not even --force: the Services would have no endpoints at all.
			return Plan{}, fmt.Errorf("%w: bring it up first ('kubectl ship bluegreen %s --image IMAGE', or scale it)", err, name)
		case force:
		default:
			return Plan{}, fmt.Errorf("%w: wait for it ('kubectl rollout status deployment/%s') or pass --force", err, target.Name)
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: --force: %v; switching anyway, so its clients may get errors", err))
	}
	return plan, nil
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

// PlanCleanup plans scaling the idle color to zero, or with del deleting
// green (and the preview Service) when green is idle. The serving color is
// never touched: rolling back depends on the other color still running
// until the user is sure.
func PlanCleanup(rel *release.Release, del bool) (Plan, error) {
	name := rel.Stable.Name
	if rel.Green == nil {
		if del && rel.Preview != nil {
			// An interrupted --delete removed green but not its preview.
			return Plan{Steps: []Step{{Action: Delete, Object: rel.Preview, Operation: "deleted", Reason: "green, its color, is gone"}}}, nil
		}
		return Plan{Notes: []string{fmt.Sprintf("release %s has no green deployment: nothing to clean up", name)}}, nil
	}
	serving, err := rel.Serving(rel.ColorKey())
	if err != nil {
		return Plan{}, err
	}
	idle := release.Green
	if serving == release.Green {
		idle = release.Blue
	}
	idleDep := rel.Deployment(idle)
	var plan Plan
	switch {
	case del && idle == release.Blue:
		return Plan{}, fmt.Errorf("blue is deployment %s itself and green serves: --delete only removes green; scale blue down without --delete", name)
	case del:
		plan.Steps = append(plan.Steps, Step{Action: Delete, Object: idleDep, Operation: "deleted", Reason: "green is idle"})
		if rel.Preview != nil {
			plan.Steps = append(plan.Steps, Step{Action: Delete, Object: rel.Preview, Operation: "deleted", Reason: "it routes to the deleted color"})
		}
	case release.Replicas(idleDep) > 0:
		next := idleDep.DeepCopy()
		next.Spec.Replicas = new(int32)
		step, err := patchStep(idleDep, next, appsv1.Deployment{}, "scaled", fmt.Sprintf("%s is idle", idle))
		if err != nil {
			return Plan{}, err
		}
		plan.Steps = append(plan.Steps, *step)
	default:
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s (deployment %s) is idle and already scaled to zero", idle, idleDep.Name))
	}
	return plan, nil
}
