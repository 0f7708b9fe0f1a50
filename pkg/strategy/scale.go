package strategy

import (
	"fmt"
	"math"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// ScaleRequest is what `kubectl ship scale` asks for.
type ScaleRequest struct {
	// Replicas is the new size of the stable Deployment (of the serving
	// color in a blue-green release); 0 is only ever given explicitly.
	Replicas int32
	// AllColors scales both colors of a blue-green release.
	AllColors bool
}

// planScale plans resizing a release as a whole: a canary keeps its share of
// the pods, a blue-green release resizes the serving color (both with
// AllColors), anything else is the stable Deployment alone. Every resized
// Deployment is then waited for. Scaling to the current size writes nothing.
func planScale(rel *release.Release, req ScaleRequest) (plans.Plan, error) {
	name := rel.Stable.Name
	for _, hpa := range rel.Autoscalers {
		return plans.Plan{}, fmt.Errorf("deployment %s is scaled by HorizontalPodAutoscaler %s (%d to %d pods), which would undo a scale: change its range instead, e.g. 'kubectl patch hpa %s --type=merge -p {\"spec\":{\"minReplicas\":%d}}'",
			hpa.Spec.ScaleTargetRef.Name, hpa.Name, ptr.Deref(hpa.Spec.MinReplicas, 1), hpa.Spec.MaxReplicas, hpa.Name, req.Replicas)
	}
	var plan plans.Plan
	var err error
	switch {
	case rel.Green != nil:
		plan, err = scaleColors(rel, req)
	case req.AllColors:
		return plans.Plan{}, fmt.Errorf("--all-colors: release %s has no green deployment, so it has no colors: scale it without --all-colors", name)
	case rel.Canary != nil:
		plan, err = scaleWithCanary(rel.Stable, rel.Canary, req.Replicas)
	default:
		plan, err = scaleTo(plans.Plan{}, scaleTarget{rel.Stable, req.Replicas, 0})
	}
	if err != nil {
		return plans.Plan{}, err
	}
	if req.Replicas == 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: --replicas 0: service %s will have no ready endpoints until release %s is scaled up again",
			rel.ServiceNames(), name))
	}
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("release %s is already at that size: nothing to scale", name))
	}
	return plan, nil
}

// scaleWithCanary scales stable to replicas and the canary beside it so that
// it keeps the weight it was given (its annotation) or, without one, the
// share of the pods it has now. The canary is written first, with the share
// it keeps recorded as its weight: a re-run after an interruption between
// the two writes then aims at the same share, not at the half-scaled one.
func scaleWithCanary(stable, canary *appsv1.Deployment, replicas int32) (plans.Plan, error) {
	var plan plans.Plan
	split := Split{} // at 0 the canary goes too, or it would take all the traffic
	keep := int32(0) // the share to record on the canary
	if replicas > 0 {
		weight, recorded := recordedWeight(canary)
		ratio, shared := currentRatio(stable, canary)
		switch {
		case recorded:
			split = splitForWeight(replicas, weight)
			plan.Notes = append(plan.Notes, weightNote(split, weight))
		case shared:
			split, keep = splitForWeight(replicas, ratio), ratio
			plan.Notes = append(plan.Notes, weightNote(split, 0))
		default:
			split = Split{Stable: replicas, Canary: release.Replicas(canary)}
			plan.Notes = append(plan.Notes, fmt.Sprintf("note: canary %s has no recorded weight and no share of the pods to keep (%d stable, %d canary): it stays at %d %s; resize it with 'kubectl ship canary %s --image IMAGE --weight PERCENT'",
				canary.Name, release.Replicas(stable), split.Canary, split.Canary, release.Plural(split.Canary, "pod"), stable.Name))
		}
	}
	return scaleTo(plan, scaleTarget{canary, split.Canary, keep}, scaleTarget{stable, split.Stable, 0})
}

// recordedWeight is the weight the canary was started or resized with.
func recordedWeight(canary *appsv1.Deployment) (int32, bool) {
	w, err := strconv.ParseInt(canary.Annotations[release.AnnotationWeight], 10, 32)
	return int32(w), err == nil && w >= 1 && w <= 99
}

// currentRatio is the canary's share of the pods now, rounded to a whole
// percent, or false when one of the two has none.
func currentRatio(stable, canary *appsv1.Deployment) (int32, bool) {
	s, c := release.Replicas(stable), release.Replicas(canary)
	if s == 0 || c == 0 {
		return 0, false
	}
	percent := math.Round(Split{Stable: s, Canary: c}.Percent())
	return int32(min(99, max(1, percent))), true
}

// scaleColors scales the serving color of a blue-green release, or both.
func scaleColors(rel *release.Release, req ScaleRequest) (plans.Plan, error) {
	if req.AllColors {
		return scaleTo(plans.Plan{}, scaleTarget{rel.Stable, req.Replicas, 0}, scaleTarget{rel.Green, req.Replicas, 0})
	}
	serving, err := rel.Serving(rel.ColorKey())
	if color, routed := rel.RouteServing(); routed {
		serving, err = color, nil // green serves through a route
	}
	if err != nil {
		return plans.Plan{}, fmt.Errorf("%w, or scale both colors with --all-colors", err)
	}
	if serving == "" {
		return plans.Plan{}, fmt.Errorf("service %s does not route to either color of release %s yet: finish 'kubectl ship bluegreen %s' or scale both colors with --all-colors",
			rel.ServiceNames(), rel.Stable.Name, rel.Stable.Name)
	}
	idle := rel.Deployment(serving.Other())
	plan := plans.Plan{Notes: []string{fmt.Sprintf("%s (deployment %s) serves; the idle %s (deployment %s) keeps %d %s (--all-colors scales both)",
		serving, rel.Deployment(serving).Name, serving.Other(), idle.Name, release.Replicas(idle), release.Plural(release.Replicas(idle), "pod"))}}
	return scaleTo(plan, scaleTarget{rel.Deployment(serving), req.Replicas, 0})
}

// scaleTarget is a Deployment and the size it is to have; a canary's also the
// weight to record, when positive.
type scaleTarget struct {
	d        *appsv1.Deployment
	replicas int32
	weight   int32
}

// scaleTo adds to plan a write of spec.replicas for each target not at its
// size yet, then a wait for every target: all resize at once.
func scaleTo(plan plans.Plan, targets ...scaleTarget) (plans.Plan, error) {
	var waits []plans.Step
	for _, t := range targets {
		d, n := t.d, t.replicas
		next := d.DeepCopy()
		next.Spec.Replicas = &n
		if t.weight > 0 {
			if next.Annotations == nil {
				next.Annotations = map[string]string{}
			}
			next.Annotations[release.AnnotationWeight] = fmt.Sprint(t.weight)
		}
		step, err := plans.PatchStep(d, next, appsv1.Deployment{}, "scaled",
			fmt.Sprintf("scale deployment %s from %d to %d %s", d.Name, release.Replicas(d), n, release.Plural(n, "pod")))
		if err != nil {
			return plans.Plan{}, err
		}
		if step != nil {
			plan.Steps = append(plan.Steps, *step)
		}
		// A paused Deployment scales, but a rollout it was in the middle
		// of stays paused: waiting for it to finish could take forever.
		if d.Spec.Paused {
			plan.Notes = append(plan.Notes, fmt.Sprintf("note: deployment %s is paused: it scales, but ship does not wait for its rollout ('kubectl rollout resume deployment/%s')", d.Name, d.Name))
			continue
		}
		waits = append(waits, plans.WaitFor(next, plans.RolledOut, fmt.Sprintf("wait until deployment %s has %d available %s", d.Name, n, release.Plural(n, "pod"))))
	}
	plan.Steps = append(plan.Steps, waits...)
	return plan, nil
}
