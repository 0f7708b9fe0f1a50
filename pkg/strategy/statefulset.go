package strategy

import (
	"encoding/json"
	"fmt"
	"math"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planStatefulCanary plans the canary of a StatefulSet: in one patch, the
// template gets the new images and the partition drops to replicas - k, so
// that the StatefulSet controller moves the k highest ordinals, and only
// them, to the new revision; what the patch changed is recorded on the
// StatefulSet in the same patch (release.StatefulRecord). Run again on a
// canary of the same images, it moves the partition (a resize).
func planStatefulCanary(sts *appsv1.StatefulSet, req CanaryRequest) (plans.Plan, error) {
	if err := statefulFlags(sts, req); err != nil {
		return plans.Plan{}, err
	}
	rec, err := statefulRecordOf(sts)
	if err != nil {
		return plans.Plan{}, err
	}
	replicas := release.StatefulReplicas(sts)
	k, err := statefulCanarySize(sts.Name, replicas, rec.Partition, req)
	if err != nil {
		return plans.Plan{}, err
	}
	plan, next, err := statefulPartition(sts, rec, k, req)
	if err != nil {
		return plans.Plan{}, err
	}
	split := Split{Stable: replicas - k, Canary: k}
	plan.Notes = append([]string{weightNote(split, req.Weight) + fmt.Sprintf(" (%s of statefulset %s)", ordinals(sts.Name, replicas-k, replicas), sts.Name)}, plan.Notes...)
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("canary of statefulset %s already at %.1f%%: nothing to change", sts.Name, split.Percent()))
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until the canary pods are ready"))
	return plan, nil
}

// statefulRecordOf is the record of sts's canary, or of one about to start.
func statefulRecordOf(sts *appsv1.StatefulSet) (*release.StatefulRecord, error) {
	rec, err := release.StatefulCanary(sts)
	if err != nil || rec != nil {
		return rec, err
	}
	return statefulStart(sts)
}

// statefulPartition plans the one patch that runs req's images on the k
// highest ordinals of sts, with the record rec in the same patch; it
// returns sts as the patch leaves it (no step when it is so already).
func statefulPartition(sts *appsv1.StatefulSet, rec *release.StatefulRecord, k int32, req CanaryRequest) (plans.Plan, *appsv1.StatefulSet, error) {
	replicas := release.StatefulReplicas(sts)
	_, running := sts.Annotations[release.AnnotationStatefulCanary]
	spec, err := canarySpec("statefulset", sts.Name, running, sts.Spec.Template.Spec, rec.Template.Spec, req)
	if err != nil {
		return plans.Plan{}, nil, err
	}
	next := sts.DeepCopy()
	next.Spec.Template.Spec = spec
	next.Spec.UpdateStrategy.RollingUpdate = withPartition(sts.Spec.UpdateStrategy.RollingUpdate, replicas-k)
	record, err := json.Marshal(rec)
	if err != nil {
		return plans.Plan{}, nil, err
	}
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[release.AnnotationStatefulCanary] = string(record)
	plan := plans.Plan{Notes: sharedImageNotes(&rec.Template.Spec, &spec)}
	step, err := plans.PatchStep(sts, next, appsv1.StatefulSet{}, "configured",
		fmt.Sprintf("run %s on the %d highest ordinals of statefulset %s (partition %d)", imageList(spec), k, sts.Name, replicas-k))
	if err != nil {
		return plans.Plan{}, nil, err
	}
	if step == nil {
		return plan, sts, nil
	}
	plan.Steps = append(plan.Steps, *step)
	return plan, next, nil
}

// statefulFlags refuses what a StatefulSet's canary cannot do (yet): its
// share of traffic is its share of the pods.
func statefulFlags(sts *appsv1.StatefulSet, req CanaryRequest) error {
	why := ""
	switch {
	case req.Header != nil || req.Cookie != "":
		why = "--header and --cookie need a route: name the HTTPRoute that sends traffic to its Service with --route httproute/NAME"
	case req.Sticky:
		why = "--sticky is not supported on StatefulSets yet"
	case req.WeightSet && (req.Weight < 1 || req.Weight > 99):
		why = fmt.Sprintf("--weight must be between 1 and 99, not %d: the canary's share of the pods", req.Weight)
	case req.WeightTotal != 0:
		why = "--weight-total is for a route's weights, and without --route a StatefulSet's canary takes its share of the pods"
	case sts.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		why = "its updateStrategy is OnDelete, so no partition chooses the canary's pods: set updateStrategy.type to RollingUpdate first"
	}
	if why != "" {
		return fmt.Errorf("statefulset %s: %s", sts.Name, why)
	}
	return nil
}

// statefulStart is the record of a canary about to start on sts: what it
// runs now. A rollout still under way would leave the stable pods on two
// revisions: it must end first.
func statefulStart(sts *appsv1.StatefulSet) (*release.StatefulRecord, error) {
	if _, done, err := release.StatefulRolloutStatus(sts); err != nil || !done || sts.Status.CurrentRevision != sts.Status.UpdateRevision {
		return nil, fmt.Errorf("statefulset %s's rollout is in progress (%d of %d pods on revision %s): wait for 'kubectl rollout status statefulset/%s' and try again",
			sts.Name, sts.Status.UpdatedReplicas, release.StatefulReplicas(sts), sts.Status.UpdateRevision, sts.Name)
	}
	return &release.StatefulRecord{
		Template:        *sts.Spec.Template.DeepCopy(),
		Partition:       release.Partition(sts),
		NoRollingUpdate: sts.Spec.UpdateStrategy.RollingUpdate == nil,
	}, nil
}

// statefulCanarySize is how many of a StatefulSet's pods the canary takes:
// --replicas, or --weight's share of the pods (within 5 percentage points,
// 1 with --exact), or one. At least one pod stays stable, and the ordinals
// below the user's partition are never the canary's.
func statefulCanarySize(name string, replicas, partition int32, req CanaryRequest) (int32, error) {
	if replicas < 2 {
		return 0, fmt.Errorf("statefulset %s has %d %s: a canary needs at least 2, one of them stable; scale it first with 'kubectl scale statefulset/%s --replicas 2'",
			name, replicas, release.Plural(replicas, "pod"), name)
	}
	k := int32(1)
	switch {
	case req.Replicas > 0:
		k = req.Replicas
	case req.Weight > 0:
		k = max(1, int32(math.Round(float64(replicas)*float64(req.Weight)/100)))
		tolerance, flag := weightTolerance, ""
		if req.Exact {
			tolerance, flag = exactTolerance, "--exact: "
		}
		if got := (Split{Stable: replicas - k, Canary: k}).Percent(); math.Abs(got-float64(req.Weight)) > tolerance || k >= replicas {
			return 0, fmt.Errorf("%sweight %d%% cannot be reached with the %d pods of statefulset %s (closest: %.1f%% with %d canary %s): give the canary's size with --replicas",
				flag, req.Weight, replicas, name, got, k, release.Plural(k, "pod"))
		}
	}
	most := replicas - max(1, partition)
	if k > most {
		why := "one pod stays stable"
		if partition > 1 {
			why = fmt.Sprintf("its partition %d keeps the ordinals below it on the stable revision", partition)
		}
		return 0, fmt.Errorf("a canary of %d %s is too large for statefulset %s of %d pods: at most %d, since %s", k, release.Plural(k, "pod"), name, replicas, most, why)
	}
	return k, nil
}

// withPartition is a copy of ru with the partition set.
func withPartition(ru *appsv1.RollingUpdateStatefulSetStrategy, partition int32) *appsv1.RollingUpdateStatefulSetStrategy {
	next := &appsv1.RollingUpdateStatefulSetStrategy{}
	if ru != nil {
		next = ru.DeepCopy()
	}
	next.Partition = ptr.To(partition)
	return next
}

// ordinals names the pods from ordinal from up to (not including) to.
func ordinals(name string, from, to int32) string {
	if to-from == 1 {
		return fmt.Sprintf("pod %s-%d", name, from)
	}
	return fmt.Sprintf("pods %s-%d to %s-%d", name, from, name, to-1)
}
