package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planDaemonPromote plans the promotion of a DaemonSet's canary. Under the
// user's RollingUpdate, one patch puts their update strategy back and drops
// the record, and the controller rolls the other nodes within their
// maxUnavailable, waited for as 'kubectl rollout status' does. Under their
// OnDelete, ship replaces the other nodes' pods by batches as the canary
// did, then drops the record.
func planDaemonPromote(ds *appsv1.DaemonSet, pods []corev1.Pod) (plans.Plan, error) {
	rec, err := release.DaemonCanary(ds)
	if err != nil {
		return plans.Plan{}, err
	}
	if rec == nil {
		return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("daemonset %s has no canary to promote: start one with 'kubectl ship canary %s --image IMAGE --nodes N'", ds.Name, ds.Name))
	}
	reason := fmt.Sprintf("put daemonset %s's updateStrategy back (%s): every node runs %s", ds.Name, rec.UpdateStrategy.Type, imageList(ds.Spec.Template.Spec))
	if rec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		step, err := plans.PatchStep(ds, daemonEnded(ds, rec), appsv1.DaemonSet{}, "promoted", reason)
		if err != nil {
			return plans.Plan{}, err
		}
		return plans.Plan{Steps: []plans.Step{*step, plans.WaitFor(step.Object, plans.RolledOut, "wait until every node runs the promoted revision")}}, nil
	}
	nodes := release.NodesOf(ds, pods)
	var plan plans.Plan
	outdated := func(p *corev1.Pod) bool { return !release.OnTemplate(ds, p) }
	if replaceBatch(&plan, ds, nodes, nodes.Names, outdated, release.MaxUnavailable(rec.UpdateStrategy, desired(ds, nodes))) {
		return plan, nil
	}
	return endDaemon(plan, ds, daemonEnded(ds, rec), "promoted", reason)
}

// planDaemonAbort plans the abort of a DaemonSet's canary: the template
// goes back exactly as recorded (the update strategy stays OnDelete, so no
// pod changes by itself), then the canary's pods, those not on the stable
// revision, are replaced by batches within maxUnavailable, made again from
// the template put back; last, the user's update strategy goes back and the
// record goes. The stable pods are never touched.
func planDaemonAbort(ds *appsv1.DaemonSet, pods []corev1.Pod) (plans.Plan, error) {
	rec, err := release.DaemonCanary(ds)
	if err != nil {
		return plans.Plan{}, err
	}
	if rec == nil {
		return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("daemonset %s has no canary to abort", ds.Name))
	}
	restored := ds.DeepCopy()
	restored.Spec.Template = *rec.Template.DeepCopy()
	templateChanged := !apiequality.Semantic.DeepEqual(ds.Spec.Template, restored.Spec.Template)
	canary := func(p *corev1.Pod) bool {
		return p.Labels[release.LabelRevision] != rec.StableRevision && (templateChanged || !release.OnTemplate(ds, p))
	}
	nodes := release.NodesOf(ds, pods)
	var plan plans.Plan
	reason := fmt.Sprintf("put daemonset %s's template and updateStrategy back", ds.Name)
	if !replaceBatch(&plans.Plan{}, ds, nodes, nodes.Names, canary, 1) {
		// No canary pod left: the template, the strategy and the record
		// go back in one patch.
		return endDaemon(plan, ds, daemonEnded(restored, rec), "rolled back", reason)
	}
	step, err := plans.PatchStep(ds, restored, appsv1.DaemonSet{}, "rolled back", fmt.Sprintf("put daemonset %s's template back, its pods replaced node by node", ds.Name))
	if err != nil {
		return plans.Plan{}, err
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	}
	// The next segment, from a fresh read, replaces the next batch or
	// puts the strategy back.
	replaceBatch(&plan, restored, nodes, nodes.Names, canary, release.MaxUnavailable(rec.UpdateStrategy, desired(ds, nodes)))
	return plan, nil
}

// endDaemon ends plan with the patch from ds to ended, which drops the
// record, and, under RollingUpdate, the wait for its rollout.
func endDaemon(plan plans.Plan, ds, ended *appsv1.DaemonSet, operation, reason string) (plans.Plan, error) {
	step, err := plans.PatchStep(ds, ended, appsv1.DaemonSet{}, operation, reason)
	if err != nil {
		return plans.Plan{}, err
	}
	if step == nil {
		return plan, nil
	}
	plan.Steps = append(plan.Steps, *step)
	if ended.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		plan.Steps = append(plan.Steps, plans.WaitFor(ended, plans.RolledOut, "wait until every node runs a ready pod of the template"))
	}
	return plan, nil
}

// daemonEnded is ds with the user's update strategy back and the record
// gone.
func daemonEnded(ds *appsv1.DaemonSet, rec *release.DaemonRecord) *appsv1.DaemonSet {
	next := ds.DeepCopy()
	delete(next.Annotations, release.AnnotationDaemonCanary)
	next.Spec.UpdateStrategy = *rec.UpdateStrategy.DeepCopy()
	return next
}
