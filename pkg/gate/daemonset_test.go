package gate

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/internal/fixture"
)

func TestDaemonBuiltIn(t *testing.T) {
	ds := fixture.NewDaemonSet("agent").WithCanary("r1", "node-a", "node-b").V()
	plain := fixture.NewDaemonSet("agent").V()
	other := fixture.NewDaemonSet("agent").V()
	other.UID = "uid-other"
	pod := func(node, rev string) fixture.PodBuilder { return fixture.NewDaemonPod(ds, node, rev) }
	healthy := func() []corev1.Pod {
		return []corev1.Pod{pod("node-a", "r2").V(), pod("node-b", "r2").V(), pod("node-c", "r1").V(), pod("node-d", "r1").V()}
	}
	tests := []struct {
		name           string
		ds             *appsv1.DaemonSet
		pods           []corev1.Pod
		pods1, traffic string
	}{
		{"healthy on 2 of 4 nodes", ds, healthy(),
			"pass 2 canary, 2 stable pods healthy", "pass daemonset agent 50% canary (2 of 4 ready pods)"},
		{"a canary pod crash-looping", ds, append([]corev1.Pod{pod("node-a", "r2").Waiting("CrashLoopBackOff", "").NotReady(0).V()}, healthy()[1:]...),
			"fail canary pod agent-node-a: container app waiting: CrashLoopBackOff; canary pod agent-node-a: not Ready for 2m0s (grace 1m0s)", "pass daemonset agent 33.3% canary (1 of 3 ready pods)"},
		{"a stable pod not Ready past its grace", ds, append(healthy()[:3], pod("node-d", "r1").NotReady(0).V()),
			"fail stable pod agent-node-d: not Ready for 2m0s (grace 1m0s)", "pass daemonset agent 66.7% canary (2 of 3 ready pods)"},
		// A canary node's pod still on the stable revision is no canary
		// pod, and another owner's pods are nobody's.
		{"no canary pods", ds, []corev1.Pod{pod("node-a", "r1").V(), fixture.NewDaemonPod(other, "node-b", "r2").V(), pod("node-c", "r1").V()},
			"fail no canary pods: daemonset agent on nodes node-a,node-b runs none", "pass daemonset agent 0% canary (0 of 2 ready pods)"},
		{"no pods at all", ds, nil,
			"fail no canary pods: daemonset agent on nodes node-a,node-b runs none", "fail daemonset agent has no ready pods"},
		{"no canary: every pod judged", plain, healthy(),
			"pass 4 stable pods healthy", "pass daemonset agent: 4 ready pods"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &DaemonBuiltIn{Grace: time.Minute}
			got := b.Check(tc.ds, tc.pods, fixture.T0.Add(2*time.Minute))
			if len(got) != 2 || verdict(got[0]) != tc.pods1 || verdict(got[1]) != tc.traffic {
				t.Errorf("got %+v\nwant %q, %q", got, tc.pods1, tc.traffic)
			}
		})
	}
	// While the canary starts, its lack of pods is no failure yet.
	b := &DaemonBuiltIn{Grace: time.Minute}
	if r := b.Starting(ds, healthy()[2:], fixture.T0); r.Verdict != Pass {
		t.Errorf("starting: %+v", r)
	}
	// A record that cannot be read fails, as nothing it judged was seen.
	broken := fixture.NewDaemonSet("agent").V()
	broken.Annotations = map[string]string{"kubectl-ship.dev/daemon-canary": "{"}
	if got := b.Check(broken, healthy(), fixture.T0); got[0].Verdict != Fail || got[1].Verdict != Fail {
		t.Errorf("unreadable record: %+v", got)
	}
}

// With AnyShare, a StatefulSet's traffic gate asks only for a ready pod.
func TestStatefulBuiltInAnyShare(t *testing.T) {
	sts := fixture.NewStatefulSet("db").Rolling(1).V()
	pods := []corev1.Pod{fixture.NewStatefulPod(sts, 0, "db-1").V(), fixture.NewStatefulPod(sts, 1, "db-1").V(), fixture.NewStatefulPod(sts, 2, "db-2").V()}
	b := &StatefulBuiltIn{Share: AnyShare, Grace: time.Minute}
	if got := b.Check(sts, pods, fixture.T0); verdict(got[1]) != "pass statefulset db 33.3% canary (1 of 3 ready pods)" {
		t.Errorf("got %+v", got)
	}
	if got := b.Check(sts, nil, fixture.T0); verdict(got[1]) != "fail statefulset db has no ready pods" {
		t.Errorf("no pods: %+v", got)
	}
}
