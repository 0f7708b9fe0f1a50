package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planPromote plans making the canary's pod template the stable one: roll the
// stable Deployment to it, wait for that rollout, then remove the canary and
// restore the Service. The canary keeps serving until the stable pods are all
// updated and available, so the Service never runs out of ready endpoints.
// Each step is derived from the snapshot, so a re-run after an interruption
// continues where the last one stopped.
func planPromote(rel *release.Release) (plans.Plan, error) {
	stable, canary := rel.Stable, rel.Canary
	restore, err := restoreServices(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	teardown, notes, err := route.Teardown(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	if canary == nil {
		if len(restore) == 0 && len(teardown) == 0 {
			return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("deployment %s has no canary to promote: start one with 'kubectl ship canary %s --image IMAGE'", stable.Name, stable.Name))
		}
		// An earlier promote removed the canary but stopped before this.
		return plans.Plan{Notes: notes, Steps: append(teardown, restore...), RouteRestored: routedRecord(rel)}, nil
	}
	if stable.Spec.Paused {
		return plans.Plan{}, fmt.Errorf("deployment %s is paused, so its rollout to the canary's template would not start: resume it with 'kubectl rollout resume deployment/%s' and try again",
			stable.Name, stable.Name)
	}
	plan := plans.Plan{Notes: append(notes, pinnedNotes(rel)...), RouteRestored: routedRecord(rel)}
	if missing := route.MissingBackends(rel); missing != "" {
		// The route sends part of its traffic nowhere: it goes back first,
		// not after the stable rollout.
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: %s: the route goes back first, then deployment %s rolls", missing, stable.Name))
		plan.Steps, teardown = teardown, nil
	}
	next := stable.DeepCopy()
	next.Spec.Template = promotedTemplate(rel)
	step, err := plans.PatchStep(stable, next, appsv1.Deployment{}, "promoted",
		fmt.Sprintf("roll deployment %s to the canary's template (%s)", stable.Name, imageList(canary.Spec.Template.Spec)))
	if err != nil {
		return plans.Plan{}, err
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	}
	// The route goes back to the stable pods before the canary goes, so it
	// never sends traffic to a Service without endpoints.
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until every stable pod runs the promoted template"))
	plan.Steps = append(plan.Steps, teardown...)
	plan.Steps = append(plan.Steps, plans.Step{Action: plans.Delete, Object: canary, Operation: "deleted", Reason: "the stable pods now run its template"})
	plan.Steps = append(plan.Steps, restore...)
	return plan, nil
}

// planAbort plans removing the canary and restoring the Service; the stable
// Deployment is not touched. With no canary the plan is empty.
func planAbort(rel *release.Release) (plans.Plan, error) {
	restore, err := restoreServices(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	// The route first: traffic leaves the canary before it goes.
	teardown, notes, err := route.Teardown(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	plan := plans.Plan{Notes: notes, Steps: teardown, RouteRestored: routedRecord(rel)}
	if missing := route.MissingBackends(rel); missing != "" {
		plan.Notes = append(plan.Notes, "warning: "+missing+": the route goes back first")
	}
	if canary := rel.Canary; canary != nil {
		if isPromoting(rel) {
			return plans.Plan{}, fmt.Errorf("deployment %s already runs the canary's template (a promote was started): finish it with 'kubectl ship promote %s', or roll back with 'kubectl rollout undo deployment/%s'",
				rel.Stable.Name, rel.Stable.Name, rel.Stable.Name)
		}
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Delete, Object: canary, Operation: "deleted", Reason: "abort the canary"})
	}
	plan.Steps = append(plan.Steps, restore...)
	if len(plan.Steps) == 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("deployment %s has no canary: nothing to abort", rel.Stable.Name))
	}
	return plan, nil
}

// restoreServices gives every Service a canary made sticky back its own
// session affinity, whichever Service the command names.
func restoreServices(rel *release.Release) ([]plans.Step, error) {
	var steps []plans.Step
	for _, svc := range rel.StickyServices() {
		step, err := restoreStep(svc)
		if err != nil {
			return nil, err
		}
		if step != nil {
			steps = append(steps, *step)
		}
	}
	return steps, nil
}

func isPromoting(rel *release.Release) bool {
	return apiequality.Semantic.DeepEqual(promotedTemplate(rel), rel.Stable.Spec.Template)
}

// routedRecord reports whether the release keeps the way back of a route
// its canary runs through: a plan that tears the canary down puts it back,
// and the record then forgets it.
func routedRecord(rel *release.Release) bool {
	_, ok := rel.Recorded(release.RoleCanary)
	return ok
}
