package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planStatefulPromote plans the promotion of a StatefulSet's canary: the
// partition goes back to the user's (0 unless they had set one), so the
// controller moves the other pods to the canary's revision, from the highest
// ordinal down, and the record goes with it; then it waits as 'kubectl
// rollout status' does.
func planStatefulPromote(sts *appsv1.StatefulSet) (plans.Plan, error) {
	rec, err := release.StatefulCanary(sts)
	if err != nil {
		return plans.Plan{}, err
	}
	if rec == nil {
		return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("statefulset %s has no canary to promote: start one with 'kubectl ship canary %s --image IMAGE'", sts.Name, sts.Name))
	}
	next := ended(sts, rec)
	step, err := plans.PatchStep(sts, next, appsv1.StatefulSet{}, "promoted",
		fmt.Sprintf("roll every pod of statefulset %s from ordinal %d up to %s", sts.Name, rec.Partition, imageList(sts.Spec.Template.Spec)))
	if err != nil {
		return plans.Plan{}, err
	}
	return plans.Plan{Steps: []plans.Step{*step, plans.WaitFor(step.Object, plans.RolledOut, "wait until every pod runs the promoted revision")}}, nil
}

// planStatefulAbort plans the abort of a StatefulSet's canary: the template
// and the partition go back exactly as the record keeps them, in one patch
// made against the StatefulSet as read; then it waits until every pod is
// back on the stable revision. A canary pod that is not Ready would block
// that under podManagementPolicy OrderedReady (Kubernetes' "forced
// rollback"): such pods, and only them, are deleted, once the template is
// back, so the controller makes them again from it.
func planStatefulAbort(sts *appsv1.StatefulSet, pods []corev1.Pod) (plans.Plan, error) {
	rec, err := release.StatefulCanary(sts)
	if err != nil {
		return plans.Plan{}, err
	}
	var plan plans.Plan
	next := sts
	if rec != nil {
		next = ended(sts, rec)
		next.Spec.Template = *rec.Template.DeepCopy()
		step, err := plans.PatchStep(sts, next, appsv1.StatefulSet{}, "rolled back",
			fmt.Sprintf("put statefulset %s's template and partition back", sts.Name))
		if err != nil {
			return plans.Plan{}, err
		}
		plan.Steps = append(plan.Steps, *step)
	}
	for _, p := range blocking(sts, pods) {
		plan.Notes = append(plan.Notes, fmt.Sprintf("forced rollback: pod %s (revision %s) is not Ready, and under podManagementPolicy OrderedReady the StatefulSet controller would wait for it forever: deleting it, so that it is made again from the stable template",
			p.Name, release.EscapeTerminal(p.Labels[release.LabelRevision])))
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Delete, Object: p, Operation: "deleted", Reason: "forced rollback of a canary pod that is not Ready"})
	}
	if len(plan.Steps) == 0 {
		return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("statefulset %s has no canary to abort", sts.Name))
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until every pod is back on the stable revision"))
	return plan, nil
}

// ended is sts with the canary's partition and record gone: the partition
// as the user had it (unset, if they had not set updateStrategy.rollingUpdate).
func ended(sts *appsv1.StatefulSet, rec *release.StatefulRecord) *appsv1.StatefulSet {
	next := sts.DeepCopy()
	delete(next.Annotations, release.AnnotationStatefulCanary)
	if rec.NoRollingUpdate {
		next.Spec.UpdateStrategy.RollingUpdate = nil
	} else {
		next.Spec.UpdateStrategy.RollingUpdate = withPartition(sts.Spec.UpdateStrategy.RollingUpdate, rec.Partition)
	}
	return next
}

// blocking are the pods a rollback of sts must delete by hand: under
// OrderedReady, those of another revision than the stable one (the
// current revision, which a canary never reaches: one pod at least stays
// on it) that are not Ready and not already going.
func blocking(sts *appsv1.StatefulSet, pods []corev1.Pod) []*corev1.Pod {
	if sts.Spec.PodManagementPolicy == appsv1.ParallelPodManagement || sts.Status.CurrentRevision == "" {
		return nil
	}
	var out []*corev1.Pod
	for _, p := range release.ControlledPods(sts, pods) {
		if p.Labels[release.LabelRevision] != sts.Status.CurrentRevision && p.DeletionTimestamp == nil && !release.PodReady(p) {
			out = append(out, p)
		}
	}
	return out
}
