package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planCleanup plans scaling the idle color to zero, or with del ending the
// blue-green release: deleting green (and the preview Service). When green
// serves, blue first takes green's pod template and the traffic back, so the
// release ends on its own Deployment, running what green ran. The serving
// color is never scaled down: rolling back depends on the other color still
// running until the user is sure.
func planCleanup(rel *release.Release, del bool) (plans.Plan, error) {
	name := rel.Stable.Name
	if rel.Green == nil {
		// An interrupted --delete removed green but not its preview, or
		// not the Service a route sent its traffic to.
		var plan plans.Plan
		if del && rel.GreenService != nil {
			plan.Steps = append(plan.Steps, plans.Step{Action: plans.Delete, Object: rel.GreenService, Operation: "deleted", Reason: "green, its color, is gone"})
		}
		if del && rel.Preview != nil {
			plan.Steps = append(plan.Steps, plans.Step{Action: plans.Delete, Object: rel.Preview, Operation: "deleted", Reason: "green, its color, is gone"})
		}
		if len(plan.Steps) == 0 {
			plan.Notes = []string{fmt.Sprintf("release %s has no green deployment: nothing to clean up", name)}
		}
		return plan, nil
	}
	handBack := handBackTemplate(rel)
	if del && sameTemplate(&handBack, &rel.Stable.Spec.Template) {
		// An interrupted hand-back: blue already runs green's template.
		return planHandBack(rel, handBack)
	}
	serving, err := rel.Serving(rel.ColorKey())
	if err != nil {
		return plans.Plan{}, err
	}
	_, routed := rel.RouteServing()
	if routed {
		serving = release.Green
	}
	idle := release.Green
	if serving == release.Green {
		idle = release.Blue
	}
	idleDep := rel.Deployment(idle)
	var plan plans.Plan
	switch {
	case del && idle == release.Blue:
		return planHandBack(rel, handBack)
	case del:
		plan.Steps = append(plan.Steps, deleteGreen(rel)...)
	case routed:
		return plans.Plan{}, greenRouteRefusal(rel, "scaling blue to zero would leave that Service without endpoints")
	case release.Replicas(idleDep) > 0:
		step, err := scaleDown(idleDep, idle)
		if err != nil {
			return plans.Plan{}, err
		}
		plan.Steps = append(plan.Steps, *step)
	default:
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s (deployment %s) is idle and already scaled to zero", idle, idleDep.Name))
	}
	return plan, nil
}

// handBackTemplate is green's pod template under blue's own labels, with the
// value of the label the Services switch on that blue then carries: green's
// for a version label, so both serve the same version while blue takes over,
// unless blue's selector holds it (the walkthrough's version: 1.0.0).
func handBackTemplate(rel *release.Release) corev1.PodTemplateSpec {
	key := rel.ColorKey()
	t := *rel.Green.Spec.Template.DeepCopy()
	t.Labels = map[string]string{}
	for k, v := range rel.Stable.Spec.Template.Labels {
		t.Labels[k] = v
	}
	if _, held := rel.Stable.Spec.Selector.MatchLabels[key]; key != release.LabelColor && !held {
		t.Labels[key] = rel.Green.Spec.Template.Labels[key]
	}
	return t
}

// planHandBack plans ending a blue-green release whose green serves: roll
// blue to green's template at green's size and wait for it, route the
// Services to blue and wait for their endpoints, then delete green. Green
// serves until blue's pods are all ready, so the Services never go dark.
func planHandBack(rel *release.Release, template corev1.PodTemplateSpec) (plans.Plan, error) {
	blue, green, key := rel.Stable, rel.Green, rel.ColorKey()
	plan := plans.Plan{Notes: []string{fmt.Sprintf("green serves: deployment %s takes green's pod template (%s) and the traffic back before deployment %s is deleted, so the release ends on deployment %s",
		blue.Name, imageList(template.Spec), green.Name, blue.Name)}}
	if held, ok := blue.Spec.Selector.MatchLabels[key]; ok {
		plan.Notes = append(plan.Notes, fmt.Sprintf("note: deployment %s's selector holds %s=%s, which cannot change: its pods keep that label while they run green's template, and the services select it again",
			blue.Name, key, held))
	}
	// Through a route the Services still select blue: they move first to
	// the value blue's pods will carry, which green's carry already, so
	// they never run out of endpoints as blue rolls. Otherwise they select
	// green, and move once blue runs its template.
	routed := rel.GreenService != nil
	selection, err := selectColor(rel, key, template.Labels[key], "switched to blue", "route to the pods that carry the served version")
	if err != nil {
		return plans.Plan{}, err
	}
	if routed {
		plan.Steps = append(plan.Steps, selection...)
	}
	next := blue.DeepCopy()
	next.Spec.Template = template
	next.Spec.Replicas = green.Spec.Replicas
	step, err := plans.PatchStep(blue, next, appsv1.Deployment{}, "configured", "run green's pod template in blue, at green's size")
	if err != nil {
		return plans.Plan{}, err
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until every blue pod runs green's template"))
	if !routed {
		plan.Steps = append(plan.Steps, selection...)
	}
	steps, notes, err := route.GreenTeardown(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Notes = append(plan.Notes, notes...)
	plan.Steps = append(plan.Steps, steps...)
	plan.Steps = append(plan.Steps, deleteGreen(rel)...)
	_, plan.RouteRestored = rel.Recorded(release.RoleGreen)
	return plan, nil
}

// selectColor points every Service of rel at the pods whose key is value,
// each waited for until its endpoints list only them.
func selectColor(rel *release.Release, key, value, operation, reason string) ([]plans.Step, error) {
	var steps []plans.Step
	for _, svc := range rel.Services {
		to := svc.DeepCopy()
		to.Spec.Selector[key] = value
		step, err := plans.PatchStep(svc, to, corev1.Service{}, operation, reason)
		if err != nil {
			return nil, err
		}
		if step != nil {
			steps = append(steps, *step, plans.WaitFor(to, plans.EndpointsSelected, "wait until the endpoints list only the pods it now selects"))
		}
	}
	return steps, nil
}

// deleteGreen deletes green and its preview Service.
func deleteGreen(rel *release.Release) []plans.Step {
	steps := []plans.Step{{Action: plans.Delete, Object: rel.Green, Operation: "deleted", Reason: "blue serves alone"}}
	if rel.Preview != nil {
		steps = append(steps, plans.Step{Action: plans.Delete, Object: rel.Preview, Operation: "deleted", Reason: "it routes to the deleted color"})
	}
	return steps
}
