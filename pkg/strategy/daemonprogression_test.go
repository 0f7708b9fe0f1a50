package strategy

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// daemonProgression plans canary --steps on ds from the record rec.
func daemonProgression(t *testing.T, ds *appsv1.DaemonSet, pods []corev1.Pod, steps string, rec *release.Progression) (plans.Plan, error) {
	t.Helper()
	parsed, err := ParseSteps(steps)
	if err != nil {
		t.Fatal(err)
	}
	return Canary{Request: daemonRequest(NodeChoice{}), Progression: &Progression{Steps: parsed, Interval: time.Minute}}.
		Plan(&plans.Snapshot{DaemonSet: ds, Pods: pods, Progression: rec})
}

// A step's nodes: a number of them, or a percentage rounded up, one at
// least, and never all of them.
func TestDaemonProgressionSchedule(t *testing.T) {
	for _, c := range []struct {
		name, steps string
		nodes       int
		want        string // the schedule, or the error
	}{
		{"counts and a percentage", "1,50%", 4, "progression: 1 1 node (1 canary pod) held 1m0s; 2 50% (2 canary pods) held 1m0s; then promote"},
		{"a small percentage is one node", "1%,50%", 4, "1 1% (1 canary pod)"},
		{"rounded up", "30%,60%", 4, "1 30% (2 canary pods) held 1m0s; 2 60% (3 canary pods)"},
		{"99% leaves one node stable", "25%,99%", 4, "2 99% (3 canary pods)"},
		{"99% of two nodes is one", "99%", 2, "1 99% (1 canary pod)"},
		{"a pause keeps the nodes", "1,pause,3", 5, "1 1 node (1 canary pod) held 1m0s; 2 pause; 3 3 nodes (3 canary pods)"},
		{"every node by count", "1,4", 4, "step 4 nodes: a canary on all 4 nodes of daemonset agent leaves none stable"},
		{"more nodes than run it", "1,9", 4, "step 9 nodes: --nodes 9 is more than the 4 nodes that run daemonset agent"},
		{"a step that adds no node", "10%,25%", 4, "step 25% is 1 of the nodes of daemonset agent, no more than step 10%: each step must put the canary on more nodes"},
		{"a count then the same in percent", "2,50%", 4, "step 50% is 2 of the nodes"},
		{"one node has none to spare", "1", 1, "step 1 node: a canary on all 1 nodes of daemonset agent leaves none stable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, pods := newDaemonSet(c.nodes, 1)
			plan, err := daemonProgression(t, ds, pods, c.steps, nil)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = plan.Notes[0]
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("got %q, want %q in it", got, c.want)
			}
		})
	}
}

// A step's canary replaced batch by batch holds after its last batch only;
// each batch's wait is judged by the step's gates; the hold judges the
// DaemonSet and records the step by its nodes.
func TestDaemonProgressionBatchesThenHolds(t *testing.T) {
	ds, pods := newDaemonSet(4, 1)
	first, err := daemonProgression(t, ds, pods, "2,75%", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(first); got != "patch ds/agent, delete pod/agent-n0-1" || !first.Continue {
		t.Fatalf("the first batch: %s (continue %v)", got, first.Continue)
	}
	if !strings.HasPrefix(first.Notes[0], "progression: 1 2 nodes (2 canary pods)") {
		t.Errorf("the schedule is told first: %q", first.Notes)
	}

	// n0 replaced, its new pod starting; n1 next, after the wait the
	// step's gates judge.
	canary := first.Steps[0].Object.(*appsv1.DaemonSet)
	canary.Annotations[appsv1.DeprecatedTemplateGeneration] = "2"
	pods[0] = daemonPod(canary, "n0", "2", "r2", false)
	second, err := daemonProgression(t, canary, pods, "2,75%", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(second); got != "wait ds/agent, delete pod/agent-n1-1" || !second.Continue {
		t.Fatalf("the second batch: %s", got)
	}
	if p := second.Steps[0].Progression; p == nil || p.Step != 0 || !p.Nodes || second.Steps[0].Until != plans.NodesReady {
		t.Errorf("the batch's wait should carry step 1 for its gates: %+v", second.Steps[0])
	}
	if strings.HasPrefix(strings.Join(second.Notes, "\n"), "progression:") {
		t.Errorf("the schedule is told once: %q", second.Notes)
	}

	pods[0] = daemonPod(canary, "n0", "2", "r2", true)
	pods[1] = daemonPod(canary, "n1", "2", "r2", true)
	third, err := daemonProgression(t, canary, pods, "2,75%", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(third); got != "wait ds/agent, hold ds/agent" || !third.Continue {
		t.Fatalf("step 1's hold: %s", got)
	}
	held := third.Steps[1]
	if p := held.Progression; p.Step != 0 || p.At() != "2 nodes" || p.Weight() != 0 || !strings.Contains(held.Reason, "hold step 1 of 2 (2 nodes)") {
		t.Errorf("the hold records step 1: %+v, %s", p, held.Reason)
	}

	// Step 1 held: the canary grows to 75% of 4, n2 joins it.
	rec := *held.Progression
	rec.Held = true
	next, err := daemonProgression(t, canary, pods, "2,75%", &rec)
	if err != nil || actions(next) != "patch ds/agent, delete pod/agent-n2-1" {
		t.Fatalf("step 2: %s %v", actions(next), err)
	}
	grown, _ := release.DaemonCanary(next.Steps[0].Object.(*appsv1.DaemonSet))
	if strings.Join(grown.Nodes, ",") != "n0,n1,n2" {
		t.Errorf("step 2's nodes: %v", grown.Nodes)
	}
}

// A DaemonSet's progression with --nodes is refused: its steps choose the
// nodes.
func TestDaemonProgressionRefusesNodes(t *testing.T) {
	ds, pods := newDaemonSet(4, 1)
	parsed, _ := ParseSteps("1,2")
	_, err := Canary{Request: daemonRequest(NodeChoice{Count: 1}), Progression: &Progression{Steps: parsed}}.
		Plan(&plans.Snapshot{DaemonSet: ds, Pods: pods})
	if err == nil || !strings.Contains(err.Error(), "give --steps or --nodes, not both") {
		t.Errorf("got %v", err)
	}
}
