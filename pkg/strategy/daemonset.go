package strategy

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planDaemonCanary plans the canary of a DaemonSet, one batch of nodes at a
// time: the template gets the new images and the update strategy becomes
// OnDelete, in one patch that also records the user's template and strategy
// and the chosen nodes (release.DaemonRecord), so that the controller
// changes no pod by itself; then the pods of the chosen nodes are deleted,
// at most maxUnavailable at a time, each batch once every node runs a ready
// pod, and the controller makes each again from the new template. The pods
// of the other nodes are never touched. matched are the nodes
// --node-selector matches. A plan that deleted a batch continues with the
// next, planned from a fresh read; run again, it resumes or resizes.
func planDaemonCanary(ds *appsv1.DaemonSet, pods []corev1.Pod, matched []corev1.Node, req CanaryRequest) (plans.Plan, error) {
	if err := daemonFlags(ds, req); err != nil {
		return plans.Plan{}, err
	}
	rec, err := release.DaemonCanary(ds)
	if err != nil {
		return plans.Plan{}, err
	}
	nodes := release.NodesOf(ds, pods)
	if rec == nil {
		if rec, err = daemonStart(ds, nodes); err != nil {
			return plans.Plan{}, err
		}
	}
	chosen, err := chooseNodes(ds.Name, nodes.Names, rec.Nodes, matched, req.Nodes)
	if err != nil {
		return plans.Plan{}, err
	}
	_, running := ds.Annotations[release.AnnotationDaemonCanary]
	spec, err := canarySpec("daemonset", ds.Name, running, ds.Spec.Template.Spec, rec.Template.Spec, req)
	if err != nil {
		return plans.Plan{}, err
	}
	next := ds.DeepCopy()
	next.Spec.Template.Spec = spec
	next.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	rec.Nodes = chosen
	if err := annotate(next, rec); err != nil {
		return plans.Plan{}, err
	}
	plan := plans.Plan{Notes: append([]string{fmt.Sprintf("canary on %d of the %d nodes of daemonset %s: %s", len(chosen), desired(ds, nodes), ds.Name, strings.Join(chosen, ", "))},
		sharedImageNotes(&rec.Template.Spec, &spec)...)}
	step, err := plans.PatchStep(ds, next, appsv1.DaemonSet{}, "configured",
		fmt.Sprintf("run %s on %d %s of daemonset %s (updateStrategy OnDelete while the canary runs)", imageList(spec), len(chosen), release.Plural(int32(len(chosen)), "node"), ds.Name))
	if err != nil {
		return plans.Plan{}, err
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	} else {
		next = ds
	}
	templateChanged := !apiequality.Semantic.DeepEqual(ds.Spec.Template, next.Spec.Template)
	outdated := func(p *corev1.Pod) bool { return templateChanged || !release.OnTemplate(ds, p) }
	if !replaceBatch(&plan, next, nodes, chosen, outdated, release.MaxUnavailable(rec.UpdateStrategy, desired(ds, nodes))) && step == nil {
		plan.Notes = append(plan.Notes, fmt.Sprintf("daemonset %s: every node of the canary (%s) runs the new template", ds.Name, strings.Join(chosen, ", ")))
	}
	return plan, nil
}

// daemonFlags refuses what a DaemonSet's canary cannot do: it is chosen
// by nodes, not by a share of pods or a route.
func daemonFlags(ds *appsv1.DaemonSet, req CanaryRequest) error {
	why := ""
	switch {
	case req.WeightSet || req.Replicas > 0 || req.WeightTotal != 0:
		why = "--weight and --replicas do not apply: a DaemonSet runs one pod per node, so its canary is chosen by node with --nodes N|P% or --node-selector SELECTOR"
	case req.Route.Ref != nil || req.Header != nil || req.Cookie != "":
		why = "--route, --header and --cookie need a route of its own to each revision's pods, which kubectl-ship does not make for DaemonSets: the canary is the chosen nodes' pods"
	case req.Sticky:
		why = "--sticky is not supported on DaemonSets"
	}
	if why != "" {
		return fmt.Errorf("daemonset %s: %s", ds.Name, why)
	}
	return nil
}

// daemonStart is the record of a canary about to start on ds: its template
// and update strategy now, and the one revision its pods run. A rollout
// still under way, or a node without a ready pod, must end first.
func daemonStart(ds *appsv1.DaemonSet, nodes release.DaemonNodes) (*release.DaemonRecord, error) {
	revisions := map[string]bool{}
	for _, p := range nodes.Pods {
		revisions[p.Labels[release.LabelRevision]] = true
	}
	want := desired(ds, nodes)
	switch {
	case len(nodes.Names) == 0:
		return nil, fmt.Errorf("daemonset %s runs on no node: a canary needs nodes that run its pods", ds.Name)
	case ds.Status.ObservedGeneration < ds.Generation || len(revisions) > 1:
		return nil, fmt.Errorf("daemonset %s's rollout is in progress (its pods run %d revisions): wait for 'kubectl rollout status daemonset/%s' (under OnDelete, delete the pods left on the old revision) and try again",
			ds.Name, len(revisions), ds.Name)
	case nodes.Ready() < want:
		return nil, fmt.Errorf("daemonset %s has %d of %d nodes without a ready pod: a canary starts when every node runs a ready pod, so that its replacements stay within maxUnavailable",
			ds.Name, want-nodes.Ready(), want)
	case release.MaxUnavailable(ds.Spec.UpdateStrategy, want) < 1:
		return nil, fmt.Errorf("daemonset %s allows no node without a ready pod (maxUnavailable 0, with maxSurge): a canary replaces each chosen node's pod in place, which leaves that node without a ready pod for a while; set updateStrategy.rollingUpdate.maxUnavailable to 1 or more", ds.Name)
	}
	var stable string
	for rev := range revisions {
		stable = rev
	}
	return &release.DaemonRecord{Template: *ds.Spec.Template.DeepCopy(), UpdateStrategy: *ds.Spec.UpdateStrategy.DeepCopy(), StableRevision: stable}, nil
}

// chooseNodes picks the canary's nodes among running (sorted), those that
// run a pod of the DaemonSet, narrowed to matched with --node-selector:
// the first of them by name, so that a run again picks the same ones, after
// those recorded already. A canary grows; it cannot shrink in place (each
// node's pod is made from the one template), and one node at least stays
// stable. The nodes recorded count as running: the pod of one may be
// between its deletion and its replacement.
func chooseNodes(name string, running, recorded []string, matched []corev1.Node, choice NodeChoice) ([]string, error) {
	running = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(running), recorded...))))
	candidates, where := running, ""
	if choice.Selector != "" {
		where = fmt.Sprintf(" and match --node-selector %s", choice.Selector)
		candidates = nil
		for _, n := range running {
			if slices.ContainsFunc(matched, func(m corev1.Node) bool { return m.Name == n }) {
				candidates = append(candidates, n)
			}
		}
		if len(candidates) == 0 {
			return nil, fmt.Errorf("--node-selector %s matches no node that runs a pod of daemonset %s (it runs on %d %s)", choice.Selector, name, len(running), release.Plural(int32(len(running)), "node"))
		}
	}
	k := 1
	switch {
	case choice.Count > 0:
		k = int(choice.Count)
	case choice.Percent > 0:
		k = int(math.Ceil(float64(len(candidates)) * float64(choice.Percent) / 100))
		if choice.Step {
			// A step's percentage leaves one node stable at least:
			// promote, not a step, puts the canary on every node.
			k = max(1, min(k, len(running)-1))
		}
	case choice.Selector != "":
		k = len(candidates)
	}
	switch {
	case k > len(candidates):
		return nil, fmt.Errorf("--nodes %s is more than the %d %s that run daemonset %s%s", choice, len(candidates), release.Plural(int32(len(candidates)), "node"), name, where)
	case k >= len(running):
		return nil, fmt.Errorf("a canary on all %d nodes of daemonset %s leaves none stable: choose fewer with --nodes, or roll it out with 'kubectl ship promote' after a canary", len(running), name)
	case len(recorded) > k:
		return nil, fmt.Errorf("daemonset %s's canary runs on %d nodes (%s): it cannot shrink to %d in place, as each node's new pod is made from the one template; abort it and start again",
			name, len(recorded), strings.Join(recorded, ", "), k)
	}
	chosen := slices.Clone(recorded)
	for _, n := range candidates {
		if len(chosen) == k {
			break
		}
		if !slices.Contains(chosen, n) {
			chosen = append(chosen, n)
		}
	}
	slices.Sort(chosen)
	return chosen, nil
}

// replaceBatch adds to plan the next batch of replacements on the nodes
// named: the pods there that outdated says must go and are not Ready are
// deleted at once (their nodes have no ready pod anyway); then, once every
// node runs a ready pod, up to budget Ready ones. It reports whether it
// deleted a pod: the plan then continues with the next batch, after a
// fresh read; else it ends waiting until every node runs a ready pod.
func replaceBatch(plan *plans.Plan, ds *appsv1.DaemonSet, nodes release.DaemonNodes, on []string, outdated func(*corev1.Pod) bool, budget int32) bool {
	var broken, ready []*corev1.Pod
	for _, n := range on {
		p := nodes.Pods[n]
		switch {
		case p == nil || p.DeletionTimestamp != nil || !outdated(p):
		case release.PodReady(p):
			ready = append(ready, p)
		default:
			broken = append(broken, p)
		}
	}
	deleteStep := func(p *corev1.Pod) plans.Step {
		return plans.Step{Action: plans.Delete, Object: p, Operation: "deleted",
			Reason: fmt.Sprintf("replace the pod of node %s, which daemonset %s makes again from its template", p.Spec.NodeName, ds.Name)}
	}
	for _, p := range broken {
		plan.Steps = append(plan.Steps, deleteStep(p))
	}
	wait := plans.WaitFor(ds, plans.NodesReady, fmt.Sprintf("wait until every node of daemonset %s runs a ready pod", ds.Name))
	if len(ready) == 0 || nodes.Ready() < desired(ds, nodes) || len(broken) > 0 {
		plan.Steps = append(plan.Steps, wait)
	}
	for _, p := range ready[:min(int(budget), len(ready))] {
		plan.Steps = append(plan.Steps, deleteStep(p))
	}
	plan.Continue = len(broken)+len(ready) > 0
	return plan.Continue
}

// desired is how many nodes ds should run on: its controller's count, or
// the nodes its pods run on, whichever is more.
func desired(ds *appsv1.DaemonSet, nodes release.DaemonNodes) int32 {
	return max(ds.Status.DesiredNumberScheduled, int32(len(nodes.Names)))
}

// annotate records rec on ds.
func annotate(ds *appsv1.DaemonSet, rec *release.DaemonRecord) error {
	record, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if ds.Annotations == nil {
		ds.Annotations = map[string]string{}
	}
	ds.Annotations[release.AnnotationDaemonCanary] = string(record)
	return nil
}
