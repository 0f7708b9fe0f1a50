package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// workload is what a canary's verbs plan on: a Deployment's release (a
// canary Deployment beside it) or a StatefulSet (its highest ordinals), so
// that a progression advances either the same way.
type workload interface {
	name() string
	// running says whether a canary runs.
	running() bool
	canary(req CanaryRequest) (plans.Plan, error)
	promote() (plans.Plan, error)
	abort() (plans.Plan, error)
	// promoted says whether the workload runs images as a promotion
	// leaves it, no canary beside.
	promoted(images []Image) bool
	// judged is what a hold after plan judges: the canary as plan leaves
	// it (the Deployment, or the StatefulSet whose update revision it is).
	judged(plan plans.Plan) runtime.Object
	// canaryPods is the canary's number of pods as plan leaves it.
	canaryPods(plan plans.Plan) int32
	// at is req at a progression's step; label says the step as a
	// person reads it ("25%", "2 nodes").
	at(req CanaryRequest, st ProgressStep) CanaryRequest
	label(st ProgressStep) string
}

// workloadOf is the workload of s.
func workloadOf(s *plans.Snapshot) workload {
	if s.StatefulSet != nil {
		return statefulWorkload{s.StatefulSet, s.Pods, s.StatefulRoute}
	}
	if s.DaemonSet != nil {
		return daemonWorkload{s.DaemonSet, s.Pods, s.Nodes}
	}
	return deploymentWorkload{s.Release}
}

// deploymentWorkload is a release of Deployments.
type deploymentWorkload struct{ rel *release.Release }

func (w deploymentWorkload) name() string  { return w.rel.Stable.Name }
func (w deploymentWorkload) running() bool { return w.rel.Canary != nil }
func (w deploymentWorkload) canary(req CanaryRequest) (plans.Plan, error) {
	return planCanary(w.rel, req)
}
func (w deploymentWorkload) promote() (plans.Plan, error)     { return planPromote(w.rel) }
func (w deploymentWorkload) abort() (plans.Plan, error)       { return planAbort(w.rel) }
func (w deploymentWorkload) canaryPods(plan plans.Plan) int32 { return canaryReplicas(w.rel, plan) }
func (deploymentWorkload) at(req CanaryRequest, st ProgressStep) CanaryRequest {
	return atWeight(req, st)
}
func (deploymentWorkload) label(st ProgressStep) string { return percentLabel(st) }

func (w deploymentWorkload) promoted(images []Image) bool {
	spec, err := setImages(w.rel.Stable.Spec.Template.Spec, images)
	return err == nil && sameImages(&spec, &w.rel.Stable.Spec.Template.Spec)
}

func (w deploymentWorkload) judged(plan plans.Plan) runtime.Object {
	if len(plan.Steps) > 0 && plan.Steps[0].Action == plans.Create {
		return plan.Steps[0].Object.(*appsv1.Deployment)
	}
	return w.rel.Canary
}

// statefulWorkload is a StatefulSet and its pods; rel, when its canary
// runs through a route, is its Services and routes.
type statefulWorkload struct {
	sts  *appsv1.StatefulSet
	pods []corev1.Pod
	rel  *release.Release
}

func (w statefulWorkload) name() string { return w.sts.Name }
func (w statefulWorkload) running() bool {
	_, ok := w.sts.Annotations[release.AnnotationStatefulCanary]
	return ok
}
func (w statefulWorkload) canary(req CanaryRequest) (plans.Plan, error) {
	if w.rel != nil || req.Route.Ref != nil {
		return planStatefulRouted(w.sts, w.rel, req)
	}
	return planStatefulCanary(w.sts, req)
}
func (w statefulWorkload) promote() (plans.Plan, error) {
	plan, err := planStatefulPromote(w.sts)
	return statefulRouted(w.rel, plan, err)
}
func (w statefulWorkload) abort() (plans.Plan, error) {
	plan, err := planStatefulAbort(w.sts, w.pods)
	return statefulRouted(w.rel, plan, err)
}
func (statefulWorkload) at(req CanaryRequest, st ProgressStep) CanaryRequest {
	return atWeight(req, st)
}
func (statefulWorkload) label(st ProgressStep) string { return percentLabel(st) }

func (w statefulWorkload) promoted(images []Image) bool {
	spec, err := setImages(w.sts.Spec.Template.Spec, images)
	return !w.running() && err == nil && sameImages(&spec, &w.sts.Spec.Template.Spec)
}

// judged is the StatefulSet as the plan's patch leaves it.
func (w statefulWorkload) judged(plan plans.Plan) runtime.Object {
	for i := len(plan.Steps) - 1; i >= 0; i-- {
		if sts, ok := plan.Steps[i].Object.(*appsv1.StatefulSet); ok && plan.Steps[i].Action == plans.Patch {
			return sts
		}
	}
	return w.sts
}

// canaryPods are the ordinals at and above the partition as the plan
// leaves it.
func (w statefulWorkload) canaryPods(plan plans.Plan) int32 {
	sts := w.judged(plan).(*appsv1.StatefulSet)
	if !(statefulWorkload{sts: sts}).running() {
		return 0
	}
	return release.StatefulReplicas(sts) - release.Partition(sts)
}

// percentLabel is a step whose weight is a percentage.
func percentLabel(st ProgressStep) string { return fmt.Sprintf("%d%%", st.Weight) }
