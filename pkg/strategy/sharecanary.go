package strategy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planShareOfPods plans a canary whose share of the traffic is its share of
// the pods behind the Service: the canary Deployment sized beside the
// stable, the Service made sticky first when asked, then the wait for the
// canary's pods.
func planShareOfPods(rel *release.Release, svc *corev1.Service, spec corev1.PodSpec, req CanaryRequest) (plans.Plan, error) {
	stable := rel.Stable
	if err := checkWithoutRoute(rel, svc, req); err != nil {
		return plans.Plan{}, err
	}
	split, err := canarySplit(stable, req)
	if err != nil {
		return plans.Plan{}, err
	}
	tr, err := canaryTrack(stable, svc)
	if err != nil {
		return plans.Plan{}, err
	}
	desired := newCanary(stable, spec, tr, split.Canary, req.Weight)

	plan := plans.Plan{Notes: shareOfPodsNotes(rel, svc, spec, split, tr, req)}
	steps, current, err := canaryDeployment(rel, desired, req.Replace)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = steps
	// The canary's pods take a while to become ready: the Service is sticky
	// before they get any traffic.
	if req.Sticky {
		step, err := stickyStep(svc, req.StickySeconds)
		if err != nil {
			return plans.Plan{}, err
		}
		if step != nil {
			plan.Notes = append(plan.Notes, affinityCaveat)
			plan.Steps = append(plan.Steps, *step)
		}
	}
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("canary %s already at %.1f%%: nothing to change", current.Name, split.Percent()))
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(current, plans.RolledOut, "wait until the canary pods are ready"))
	return plan, nil
}

// shareOfPodsNotes say what a canary by share of the pods gets: its weight,
// the images it shares with the stable, why no route sees it, and what else
// moves the share (the stable's own notes, an autoscaler).
func shareOfPodsNotes(rel *release.Release, svc *corev1.Service, spec corev1.PodSpec, split Split, tr track, req CanaryRequest) []string {
	stable := rel.Stable
	notes := append([]string{weightNote(split, req.Weight)}, sharedImageNotes(&stable.Spec.Template.Spec, &spec)...)
	if tr.note != "" {
		notes = append(notes, tr.note)
	}
	if why := rel.Unreadable; why != "" && !req.Route.None {
		notes = append(notes, fmt.Sprintf("note: %s, so the canary takes its share of the pods; an HTTPRoute sending traffic to service %s would not see the weight (--route none says so and skips the look-up)", why, svc.Name))
	}
	notes = append(notes, stableNotes(stable, svc, split)...)
	if hpa := rel.AutoscalerOf(stable); hpa != nil {
		low, high := Split{Stable: max(1, ptr.Deref(hpa.Spec.MinReplicas, 1)), Canary: split.Canary}, Split{Stable: hpa.Spec.MaxReplicas, Canary: split.Canary}
		notes = append(notes, fmt.Sprintf("note: HorizontalPodAutoscaler %s scales deployment %s between %d and %d pods, and the canary's share moves with it (%.1f%% to %.1f%%); kubectl-ship does not follow it: run the canary command again to resize",
			hpa.Name, stable.Name, low.Stable, high.Stable, high.Percent(), low.Percent()))
	}
	return notes
}
