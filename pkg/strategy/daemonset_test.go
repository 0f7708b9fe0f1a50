package strategy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// newDaemonSet is DaemonSet agent of agent:1 as the API server returns it,
// rolled out (template generation 1, revision r1) on nodes n0..n(nodes-1),
// with its pods, all ready.
func newDaemonSet(nodes int, maxUnavailable int) (*appsv1.DaemonSet, []corev1.Pod) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "ns", UID: "uid-agent", ResourceVersion: "7", Generation: 1,
			Annotations: map[string]string{appsv1.DeprecatedTemplateGeneration: "1"}},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}},
			},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromInt32(int32(maxUnavailable)))}},
		},
		Status: appsv1.DaemonSetStatus{ObservedGeneration: 1, DesiredNumberScheduled: int32(nodes), NumberReady: int32(nodes)},
	}
	var pods []corev1.Pod
	for i := range nodes {
		pods = append(pods, daemonPod(ds, fmt.Sprintf("n%d", i), "1", "r1", true))
	}
	return ds, pods
}

// daemonPod is ds's pod on node, of template generation gen and revision rev.
func daemonPod(ds *appsv1.DaemonSet, node, gen, rev string, ready bool) corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-" + node + "-" + gen, Namespace: "ns", UID: types.UID("uid-" + node + gen), ResourceVersion: "3",
			Labels:          map[string]string{"app": "agent", release.LabelRevision: rev, release.LabelTemplateGeneration: gen},
			OwnerReferences: []metav1.OwnerReference{{Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: ptr.To(true)}}},
		Spec:   corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

// deleted names the nodes whose pods plan deletes, in order.
func deleted(plan plans.Plan) string {
	var nodes []string
	for _, s := range plan.Steps {
		if s.Action == plans.Delete {
			nodes = append(nodes, s.Object.(*corev1.Pod).Spec.NodeName)
		}
	}
	return strings.Join(nodes, ",")
}

func daemonRequest(nodes NodeChoice) CanaryRequest {
	return CanaryRequest{Images: []Image{{Image: "agent:2"}}, Nodes: nodes}
}

func TestPlanDaemonCanary(t *testing.T) {
	for _, c := range []struct {
		name           string
		nodes          int
		maxUnavailable int
		choice         NodeChoice
		matched        []string
		want           string // the nodes deleted by the first segment
		wantNodes      []string
	}{
		{"one node by default", 4, 1, NodeChoice{}, nil, "n0", []string{"n0"}},
		{"two nodes, one at a time", 4, 1, NodeChoice{Count: 2}, nil, "n0", []string{"n0", "n1"}},
		{"three nodes, two at a time", 5, 2, NodeChoice{Count: 3}, nil, "n0,n1", []string{"n0", "n1", "n2"}},
		{"a percentage rounded up", 5, 1, NodeChoice{Percent: 30}, nil, "n0", []string{"n0", "n1"}},
		{"a selector, all its nodes", 4, 3, NodeChoice{Selector: "zone=b"}, []string{"n1", "n3", "elsewhere"}, "n1,n3", []string{"n1", "n3"}},
		{"a selector and a count", 4, 3, NodeChoice{Selector: "zone=b", Count: 1}, []string{"n3", "n1"}, "n1", []string{"n1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, pods := newDaemonSet(c.nodes, c.maxUnavailable)
			var matched []corev1.Node
			for _, n := range c.matched {
				matched = append(matched, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}})
			}
			plan, err := planDaemonCanary(ds, pods, matched, daemonRequest(c.choice))
			if err != nil {
				t.Fatal(err)
			}
			patched := plan.Steps[0].Object.(*appsv1.DaemonSet)
			if plan.Steps[0].Action != plans.Patch || patched.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType || patched.Spec.Template.Spec.Containers[0].Image != "agent:2" {
				t.Fatalf("first step: %s %+v, want the patch to agent:2 under OnDelete", plan.Steps[0].Action, patched.Spec.UpdateStrategy)
			}
			rec, err := release.DaemonCanary(patched)
			if err != nil || rec == nil || fmt.Sprint(rec.Nodes) != fmt.Sprint(c.wantNodes) || rec.StableRevision != "r1" ||
				rec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType || rec.Template.Spec.Containers[0].Image != "agent:1" {
				t.Errorf("record %+v (%v), want nodes %v, revision r1, the user's strategy and template", rec, err, c.wantNodes)
			}
			if got := deleted(plan); got != c.want || !plan.Continue {
				t.Errorf("first batch deletes the pods of %q (continue %v), want %q", got, plan.Continue, c.want)
			}
		})
	}
}

// TestPlanDaemonCanaryResumes: run again after its patch and a first
// batch, the canary waits for every node to run a ready pod, then replaces
// the next; once all its nodes run the template, it only waits.
func TestPlanDaemonCanaryResumes(t *testing.T) {
	ds, pods := newDaemonSet(4, 1)
	first, err := planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 2}))
	if err != nil {
		t.Fatal(err)
	}
	ds = first.Steps[0].Object.(*appsv1.DaemonSet)
	ds.Annotations[appsv1.DeprecatedTemplateGeneration] = "2"
	// n0's pod deleted, not made again yet: n0 is still the canary's.
	plan, err := planDaemonCanary(ds, pods[1:], nil, daemonRequest(NodeChoice{Count: 2}))
	if err != nil || deleted(plan) != "n1" {
		t.Fatalf("n0 without a pod: deletes %q (%v), want n1", deleted(plan), err)
	}
	pods[0] = daemonPod(ds, "n0", "2", "r2", false) // n0's new pod, not ready yet
	plan, err = planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 || plan.Steps[0].Until != plans.NodesReady || deleted(plan) != "n1" {
		t.Errorf("second segment: %+v, want the wait for every node then n1's pod deleted", plan.Steps)
	}
	pods[0] = daemonPod(ds, "n0", "2", "r2", true)
	pods[1] = daemonPod(ds, "n1", "2", "r2", true)
	plan, err = planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 2}))
	if err != nil || plan.Writes() || plan.Continue || len(plan.Steps) != 1 || plan.Steps[0].Until != plans.NodesReady {
		t.Errorf("done: %+v (%v), want only the wait", plan, err)
	}
	if _, err := planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 1})); err == nil || !strings.Contains(err.Error(), "cannot shrink to 1 in place") {
		t.Errorf("shrinking: %v", err)
	}
	grown, err := planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 3}))
	if err != nil || deleted(grown) != "n2" {
		t.Errorf("growing to 3: deletes %q (%v), want n2", deleted(grown), err)
	}
}

func TestPlanDaemonCanaryRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(ds *appsv1.DaemonSet, pods []corev1.Pod, req *CanaryRequest)
		want string
	}{
		{"--weight", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.WeightSet, r.Weight = true, 25 }, "--weight and --replicas do not apply"},
		{"--replicas", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.Replicas = 1 }, "--weight and --replicas do not apply"},
		{"more nodes than it runs on", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.Nodes.Count = 5 }, "--nodes 5 is more than the 3 nodes that run daemonset agent"},
		{"every node", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.Nodes.Count = 3 }, "leaves none stable"},
		{"a selector of no node of it", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.Nodes.Selector = "zone=x" }, "matches no node that runs a pod of daemonset agent"},
		{"a rollout under way", func(_ *appsv1.DaemonSet, p []corev1.Pod, _ *CanaryRequest) { p[1].Labels[release.LabelRevision] = "r0" }, "rollout is in progress"},
		{"a node without a ready pod", func(_ *appsv1.DaemonSet, p []corev1.Pod, _ *CanaryRequest) {
			p[2].Status.Conditions[0].Status = corev1.ConditionFalse
		}, "1 of 3 nodes without a ready pod"},
		{"maxUnavailable 0", func(ds *appsv1.DaemonSet, _ []corev1.Pod, _ *CanaryRequest) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(0))
		}, "maxUnavailable 0"},
		{"the same image", func(_ *appsv1.DaemonSet, _ []corev1.Pod, r *CanaryRequest) { r.Images[0].Image = "agent:1" }, "already runs agent=agent:1"},
		{"a canary of other images", func(ds *appsv1.DaemonSet, _ []corev1.Pod, _ *CanaryRequest) {
			rec := release.DaemonRecord{Template: *ds.Spec.Template.DeepCopy(), Nodes: []string{"n0"}, StableRevision: "r1"}
			raw, _ := json.Marshal(rec)
			ds.Annotations[release.AnnotationDaemonCanary] = string(raw)
			ds.Spec.Template.Spec.Containers[0].Image = "agent:3"
		}, "already runs a canary of agent=agent:3, not agent=agent:2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, pods := newDaemonSet(3, 1)
			req := daemonRequest(NodeChoice{})
			c.edit(ds, pods, &req)
			_, err := planDaemonCanary(ds, pods, nil, req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// TestPlanDaemonAbortAndPromote: abort puts the template back and replaces
// only the canary's pods, then the strategy; promote under RollingUpdate is
// one patch and the controller's rollout, under OnDelete batches.
func TestPlanDaemonAbortAndPromote(t *testing.T) {
	ds, pods := newDaemonSet(4, 1)
	first, err := planDaemonCanary(ds, pods, nil, daemonRequest(NodeChoice{Count: 2}))
	if err != nil {
		t.Fatal(err)
	}
	ds = first.Steps[0].Object.(*appsv1.DaemonSet)
	ds.Annotations[appsv1.DeprecatedTemplateGeneration] = "2"
	pods[0], pods[1] = daemonPod(ds, "n0", "2", "r2", true), daemonPod(ds, "n1", "2", "r2", true)

	abort, err := planDaemonAbort(ds, pods)
	if err != nil {
		t.Fatal(err)
	}
	restored := abort.Steps[0].Object.(*appsv1.DaemonSet)
	if restored.Spec.Template.Spec.Containers[0].Image != "agent:1" || restored.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType || deleted(abort) != "n0" || !abort.Continue {
		t.Errorf("abort's first segment: template %s, strategy %s, deletes %q; want agent:1 under OnDelete, n0's pod deleted",
			restored.Spec.Template.Spec.Containers[0].Image, restored.Spec.UpdateStrategy.Type, deleted(abort))
	}
	// Both canary pods back on r1: the strategy and the record go.
	restored.Annotations[appsv1.DeprecatedTemplateGeneration] = "3"
	pods[0], pods[1] = daemonPod(ds, "n0", "3", "r1", true), daemonPod(ds, "n1", "3", "r1", true)
	end, err := planDaemonAbort(restored, pods)
	if err != nil || len(end.Steps) != 2 || end.Steps[0].Action != plans.Patch || end.Steps[1].Until != plans.RolledOut {
		t.Fatalf("abort's last segment: %+v (%v), want the strategy's patch and the rollout's wait", end.Steps, err)
	}
	if after := end.Steps[0].Object.(*appsv1.DaemonSet); after.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType || after.Annotations[release.AnnotationDaemonCanary] != "" {
		t.Errorf("abort's end: strategy %+v, annotations %v", after.Spec.UpdateStrategy, after.Annotations)
	}

	pods[0], pods[1] = daemonPod(ds, "n0", "2", "r2", true), daemonPod(ds, "n1", "2", "r2", true)
	promote, err := planDaemonPromote(ds, pods)
	if err != nil || len(promote.Steps) != 2 || deleted(promote) != "" || promote.Steps[1].Until != plans.RolledOut {
		t.Errorf("promote under RollingUpdate: %+v (%v), want one patch and the rollout's wait", promote.Steps, err)
	}
	rec, _ := release.DaemonCanary(ds)
	rec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if err := annotate(ds, rec); err != nil {
		t.Fatal(err)
	}
	promote, err = planDaemonPromote(ds, pods)
	if err != nil || deleted(promote) != "n2" || promote.Writes() && promote.Steps[0].Action == plans.Patch {
		t.Errorf("promote under OnDelete: deletes %q (%v), want n2's pod first, no patch yet", deleted(promote), err)
	}
}

func TestParseNodes(t *testing.T) {
	for in, want := range map[string]NodeChoice{"2": {Count: 2}, "25%": {Percent: 25}, "3": {Count: 3}} {
		got, err := ParseNodes(in)
		if err != nil || got != want {
			t.Errorf("ParseNodes(%q) = %#v, %v; want %#v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"0": "at least one node", "0%": "at least one node", "101%": "at most all", "x": "neither a number", "-1": "at least one node"} {
		if _, err := ParseNodes(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNodes(%q): %v, want an error with %q", in, err, want)
		}
	}
}
