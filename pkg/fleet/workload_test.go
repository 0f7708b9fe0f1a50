package fleet

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// statefulCanary is StatefulSet web with a canary on web-2, its canary pod
// crash-looping when sick.
func statefulCanary(sick bool) *release.Observed {
	sts := fixture.NewStatefulSet("web").Rolling(1).V()
	canary := fixture.NewStatefulPod(sts, 2, "web-2")
	if sick {
		canary = canary.Waiting("CrashLoopBackOff", "back-off 10s")
	}
	return &release.Observed{StatefulSet: sts, Pods: []corev1.Pod{
		fixture.NewStatefulPod(sts, 0, "web-1").V(), fixture.NewStatefulPod(sts, 1, "web-1").V(), canary.V()}}
}

// daemonCanary is DaemonSet web with a canary on node-a, its canary pod
// not Ready past the grace when sick.
func daemonCanary(sick bool) *release.Observed {
	ds := fixture.NewDaemonSet("web").WithCanary("r1", "node-a").V()
	canary := fixture.NewDaemonPod(ds, "node-a", "r2")
	if sick {
		canary = canary.NotReady(0)
	}
	return &release.Observed{DaemonSet: ds, Pods: []corev1.Pod{canary.V(), fixture.NewDaemonPod(ds, "node-b", "r1").V()}}
}

// TestFleetSoakWorkloads: the waves of a StatefulSet's and a DaemonSet's
// canary soak by their own built-in gates (the update revision's pods, the
// canary nodes' pods), each check reading the kind the first one found;
// a canary that fails in c while soaking rolls c back and stops the fleet.
func TestFleetSoakWorkloads(t *testing.T) {
	gates := ship.Gates{CheckEvery: time.Millisecond, Grace: time.Second, InconclusiveLimit: 1}
	cases := []struct {
		name     string
		kind     string
		workload func(sick bool) *release.Observed
		healthy  string
		failure  string
	}{
		{"statefulset", release.KindStatefulSet, statefulCanary,
			"healthy for 20ms (1 canary, 2 stable pods healthy)",
			"[c] failed while soaking: pods: Fail: canary pod web-2: container app waiting: CrashLoopBackOff (back-off 10s)"},
		{"daemonset", release.KindDaemonSet, daemonCanary,
			"healthy for 20ms (1 canary, 1 stable pods healthy)",
			"[c] failed while soaking: pods: Fail: canary pod web-node-a: not Ready for "},
	}
	for _, tc := range cases {
		t.Run(tc.name+": every wave soaks healthy", func(t *testing.T) {
			e := newFakeEngine()
			e.workload = func(string, bool) *release.Observed { return tc.workload(false) }
			op := canary(ship.DryRunNone)
			op.Options.Gates = gates
			report, _, err := runFleet(e, op, RunOptions{Soak: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range report.Clusters {
				if c.State != StateDone || !strings.Contains(c.Detail, tc.healthy) {
					t.Errorf("%s: %s, %q", c.Context, c.State, c.Detail)
				}
				// Found once; read again by its kind: two requests a check.
				if n := e.count("observe " + c.Context + ` ""`); n != 1 {
					t.Errorf("%s: looked for the workload %d times, want 1: %v", c.Context, n, e.calls)
				}
				if e.count("observe "+c.Context+` "`+tc.kind+`"`) == 0 {
					t.Errorf("%s: never read the %s again: %v", c.Context, tc.kind, e.calls)
				}
			}
		})
		t.Run(tc.name+": a cluster failing its soak is rolled back, the next wave not started", func(t *testing.T) {
			e := newFakeEngine()
			e.workload = func(cluster string, soaking bool) *release.Observed { return tc.workload(cluster == "c" && soaking) }
			op := canary(ship.DryRunNone)
			op.Options.Gates = gates
			report, progress, err := runFleet(e, op, RunOptions{Soak: 500 * time.Millisecond})
			if err == nil || err.Error() != "wave 2 failed in c: later waves not started" {
				t.Fatalf("run: %v", err)
			}
			if got := states(report); got["c"] != StateRolledBack || got["d"] != StateNotStarted || got["a"] != StateDone {
				t.Errorf("states %v", got)
			}
			if !strings.Contains(progress, tc.failure) || e.index("run c abort") < 0 || e.count("run d") != 0 {
				t.Errorf("progress %q\ncalls %v", progress, e.calls)
			}
		})
	}
}
