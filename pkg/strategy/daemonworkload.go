package strategy

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// daemonWorkload is a DaemonSet, its pods, and the nodes --node-selector
// matches.
type daemonWorkload struct {
	ds      *appsv1.DaemonSet
	pods    []corev1.Pod
	matched []corev1.Node
}

func (w daemonWorkload) name() string { return w.ds.Name }
func (w daemonWorkload) running() bool {
	_, ok := w.ds.Annotations[release.AnnotationDaemonCanary]
	return ok
}
func (w daemonWorkload) canary(req CanaryRequest) (plans.Plan, error) {
	return planDaemonCanary(w.ds, w.pods, w.matched, req)
}
func (w daemonWorkload) promote() (plans.Plan, error) { return planDaemonPromote(w.ds, w.pods) }
func (w daemonWorkload) abort() (plans.Plan, error)   { return planDaemonAbort(w.ds, w.pods) }

func (w daemonWorkload) promoted(images []Image) bool {
	spec, err := setImages(w.ds.Spec.Template.Spec, images)
	return !w.running() && err == nil && sameImages(&spec, &w.ds.Spec.Template.Spec)
}

// judged is the DaemonSet as the plan's patch leaves it.
func (w daemonWorkload) judged(plan plans.Plan) runtime.Object {
	for i := len(plan.Steps) - 1; i >= 0; i-- {
		if ds, ok := plan.Steps[i].Object.(*appsv1.DaemonSet); ok && plan.Steps[i].Action == plans.Patch {
			return ds
		}
	}
	return w.ds
}

// canaryPods are the canary's nodes as the plan leaves them: one pod each.
func (w daemonWorkload) canaryPods(plan plans.Plan) int32 {
	rec, err := release.DaemonCanary(w.judged(plan).(*appsv1.DaemonSet))
	if err != nil || rec == nil {
		return 0
	}
	return int32(len(rec.Nodes))
}

// at is req at a step: its number of nodes, or its percentage of them,
// among the nodes --node-selector matches if given.
func (daemonWorkload) at(req CanaryRequest, st ProgressStep) CanaryRequest {
	req.Nodes = NodeChoice{Selector: req.Nodes.Selector, Step: true}
	if st.Percent {
		req.Nodes.Percent = st.Weight
	} else {
		req.Nodes.Count = st.Weight
	}
	return req
}

func (daemonWorkload) label(st ProgressStep) string {
	if st.Percent {
		return percentLabel(st)
	}
	return fmt.Sprintf("%d %s", st.Weight, release.Plural(st.Weight, "node"))
}
