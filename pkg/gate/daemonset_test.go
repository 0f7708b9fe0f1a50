package gate

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func TestDaemonBuiltIn(t *testing.T) {
	ds := fixture.NewDaemonSet("agent").WithCanary("r1", "n0", "n1").V()
	other := fixture.NewDaemonSet("agent").V()
	other.UID = "uid-other"
	pod := fixture.NewDaemonPod
	healthy := func() []corev1.Pod {
		return []corev1.Pod{pod(ds, "n0", "r2").V(), pod(ds, "n1", "r2").V(), pod(ds, "n2", "r1").V(), pod(ds, "n3", "r1").V()}
	}
	tests := []struct {
		name string
		ds   func() []corev1.Pod
		want string
	}{
		{"healthy", healthy, "pass 2 canary, 2 stable pods healthy"},
		{"a canary pod not Ready past its grace", func() []corev1.Pod {
			return append(healthy()[1:], pod(ds, "n0", "r2").NotReady(0).V())
		}, "fail canary pod agent-n0: not Ready for 2m0s (grace 1m0s)"},
		{"a stable pod restarting", func() []corev1.Pod {
			return append(healthy()[:3], pod(ds, "n3", "r1").Restarted(1, "Error", 1).V())
		}, "fail stable pod agent-n3: container app restarted 1 times since the gate started (last: Error, exit code 1)"},
		// A canary node's pod still on the stable revision is stable; a
		// pod of another owner on a canary node is no canary pod.
		{"a canary node not replaced yet", func() []corev1.Pod {
			return []corev1.Pod{pod(ds, "n0", "r2").V(), pod(ds, "n1", "r1").V(), pod(ds, "n2", "r1").V()}
		}, "pass 1 canary, 2 stable pods healthy"},
		{"no canary pods", func() []corev1.Pod {
			return []corev1.Pod{pod(other, "n0", "r2").V(), pod(ds, "n2", "r1").V()}
		}, "fail no canary pods: daemonset agent on its canary's nodes (n0, n1) runs none"},
		{"no stable pods", func() []corev1.Pod { return healthy()[:2] }, "fail no stable pods: daemonset agent runs none"},
		{"no pods at all", func() []corev1.Pod { return nil },
			"fail no canary pods: daemonset agent on its canary's nodes (n0, n1) runs none; no stable pods: daemonset agent runs none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &DaemonBuiltIn{Grace: time.Minute, Restarts: map[string]int32{}}
			got := b.Check(ds, tc.ds(), fixture.T0.Add(2*time.Minute))
			if len(got) != 1 || verdict(got[0]) != tc.want {
				t.Errorf("got %+v\nwant %q", got, tc.want)
			}
		})
	}
	// While the canary starts, its lack of pods is no failure yet; a
	// DaemonSet whose canary ended has no canary pods.
	b := &DaemonBuiltIn{Grace: time.Minute}
	if r := b.Starting(ds, healthy()[2:], fixture.T0); r.Verdict != Pass {
		t.Errorf("starting: %+v", r)
	}
	if r := b.Check(fixture.NewDaemonSet("agent").V(), healthy(), fixture.T0); verdict(r[0]) != "fail no canary pods: daemonset agent (no canary recorded) runs none" {
		t.Errorf("without a canary: %+v", r)
	}
}
