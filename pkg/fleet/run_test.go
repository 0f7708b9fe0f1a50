package fleet

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// threeWaves are a, then b and c at once, then d.
var threeWaves = []Wave{{1, []string{"a"}}, {2, []string{"b", "c"}}, {3, []string{"d"}}}

// canary is the fleet's operation: a canary, rolled back by abort.
func canary(dryRun ship.DryRun) Operation {
	return Operation{Target: ship.Target{Namespace: "shop", Name: "web"}, Planner: planner("canary"), Rollback: planner("abort"),
		RollbackCommand: "kubectl ship abort web", Options: ship.Options{DryRun: dryRun, Command: fleetCommand}}
}

// runFleet runs op over threeWaves in e with o's soak and failure policy.
func runFleet(e *fakeEngine, op Operation, o RunOptions) (*Report, string, error) {
	var out, errOut bytes.Buffer
	o.Waves, o.Out, o.ErrOut, o.Reporters, o.Parallel = threeWaves, &out, &errOut, reporters{}, 2
	if o.OnFailure == "" {
		o.OnFailure = Abort
	}
	report, err := Run(context.Background(), e, op, o)
	return report, errOut.String(), err
}

// states are the report's states by context.
func states(r *Report) map[string]State {
	out := map[string]State{}
	for _, c := range r.Clusters {
		out[c.Context] = c.State
	}
	return out
}

func TestFleetRun(t *testing.T) {
	failed := errors.New("deployment web-canary exceeded its progress deadline")
	cases := []struct {
		name      string
		engine    func(*fakeEngine)
		dryRun    ship.DryRun
		onFailure OnFailure
		wantErr   string
		states    map[string]State
		// ran are the operations run, in each cluster ("a canary").
		ran      []string
		progress []string
	}{
		{
			name:   "every wave in order, every cluster done",
			states: map[string]State{"a": StateDone, "b": StateDone, "c": StateDone, "d": StateDone},
			ran:    []string{"a canary", "b canary", "c canary", "d canary"},
			progress: []string{"wave 1/3 (a): canary", "wave 1/3 (a): done", "wave 2/3 (b, c): canary", "wave 3/3 (d): done",
				"[a] deployment.apps/web-canary created"},
		},
		{
			name:    "the first failure stops the fleet: that cluster rolled back, its wave left, later waves untouched",
			engine:  func(e *fakeEngine) { e.runErrs["b canary"] = failed },
			wantErr: "wave 2 failed in b: later waves not started",
			states:  map[string]State{"a": StateDone, "b": StateRolledBack, "c": StateDone, "d": StateNotStarted},
			ran:     []string{"a canary", "b canary", "c canary", "b abort"},
			progress: []string{"[b] failed: " + failed.Error(), "[b] rolling back: kubectl ship abort web",
				"[b] deployment.apps/web-canary deleted"},
		},
		{
			name:      "--on-failure stop leaves the failed cluster as it is",
			engine:    func(e *fakeEngine) { e.runErrs["a canary"] = failed },
			onFailure: Stop,
			wantErr:   "wave 1 failed in a: later waves not started",
			states:    map[string]State{"a": StateFailed, "b": StateNotStarted, "c": StateNotStarted, "d": StateNotStarted},
			ran:       []string{"a canary"},
		},
		{
			name: "a rollback that fails is said, the cluster stays failed",
			engine: func(e *fakeEngine) {
				e.runErrs["d canary"] = failed
				e.runErrs["d abort"] = errors.New("release web is busy")
			},
			wantErr: "wave 3 failed in d",
			states:  map[string]State{"a": StateDone, "b": StateDone, "c": StateDone, "d": StateFailed},
			ran:     []string{"a canary", "b canary", "c canary", "d canary", "d abort"},
		},
		{
			name: "a cluster that does not answer stops the fleet before any write",
			engine: func(e *fakeEngine) {
				e.recordErrs["d"] = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
			},
			wantErr: "nothing changed: d did not answer, and every cluster of the fleet must before the first write",
			states:  map[string]State{"a": StateNotStarted, "d": StateUnreachable},
		},
		{
			name:    "a cluster that would refuse stops the fleet before any write",
			engine:  func(e *fakeEngine) { e.refusals["c"] = errors.New(`deployment "web" not found`) },
			wantErr: "nothing changed: c would refuse the operation (see the table), and every cluster of the fleet must take it before the first write",
			states:  map[string]State{"a": StateNotStarted, "c": StateRefused},
		},
		{
			name: "the waves a run of the same command finished are skipped",
			engine: func(e *fakeEngine) {
				done := release.Operation{Command: fleetCommand, Time: metav1.Now(), Fleet: &release.FleetStep{Wave: 1, Waves: 3}}
				e.records["a"] = ship.LockState{Operations: []release.Operation{done}}
			},
			states:   map[string]State{"a": StateAlreadyDone, "b": StateDone, "c": StateDone, "d": StateDone},
			ran:      []string{"b canary", "c canary", "d canary"},
			progress: []string{"wave 1/3 (a): already done by this command"},
		},
		{
			name:   "a dry run plans in every cluster and reads no record",
			dryRun: ship.DryRunClient,
			states: map[string]State{"a": StatePlanned, "b": StatePlanned, "c": StatePlanned, "d": StatePlanned},
			ran:    []string{"a canary", "b canary", "c canary", "d canary"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newFakeEngine()
			if tc.engine != nil {
				tc.engine(e)
			}
			dryRun := tc.dryRun
			if dryRun == "" {
				dryRun = ship.DryRunNone
			}
			report, progress, err := runFleet(e, canary(dryRun), RunOptions{OnFailure: tc.onFailure})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("run: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("run: error %v, want one with %q", err, tc.wantErr)
			}
			got := states(report)
			for c, want := range tc.states {
				if got[c] != want {
					t.Errorf("%s: %s, want %s", c, got[c], want)
				}
			}
			if n := e.count("run "); n != len(tc.ran) {
				t.Errorf("%d operations run, want %v (calls %v)", n, tc.ran, e.calls)
			}
			for _, op := range tc.ran {
				if e.index("run "+op) < 0 {
					t.Errorf("%s was not run (calls %v)", op, e.calls)
				}
			}
			for _, want := range tc.progress {
				if !strings.Contains(progress, want) {
					t.Errorf("progress %q lacks %q", progress, want)
				}
			}
		})
	}
}

// TestFleetReadsEverythingFirst: every cluster's record is read and its
// operation planned before the first write anywhere, and a wave starts
// only once the wave before it finished.
func TestFleetReadsEverythingFirst(t *testing.T) {
	e := newFakeEngine()
	if _, _, err := runFleet(e, canary(ship.DryRunNone), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	first := e.index("run a canary")
	for _, c := range []string{"a", "b", "c", "d"} {
		if i, j := e.index("record "+c), e.index("refusal "+c+" canary"); i < 0 || j < 0 || i > first || j > first {
			t.Errorf("%s was read at %d and planned at %d, the first write at %d: %v", c, i, j, first, e.calls)
		}
	}
	for _, order := range [][2]string{{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}} {
		if e.index("run "+order[0]+" canary") > e.index("run "+order[1]+" canary") {
			t.Errorf("%s ran before %s: %v", order[1], order[0], e.calls)
		}
	}
}

func TestFleetSoak(t *testing.T) {
	gates := ship.Gates{CheckEvery: time.Millisecond, InconclusiveLimit: 1}
	t.Run("each wave soaks healthy before the next, and the soak is recorded", func(t *testing.T) {
		e := newFakeEngine()
		op := canary(ship.DryRunNone)
		op.Options.Gates = gates
		report, progress, err := runFleet(e, op, RunOptions{Soak: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(progress, "wave 2/3 (b, c): soaking 20ms: every cluster must stay healthy") {
			t.Errorf("progress %q lacks the soak", progress)
		}
		for i, c := range []string{"a", "b", "c", "d"} {
			wave := []int{1, 2, 2, 3}[i]
			if e.index("recordsoak "+c+" wave "+string(rune('0'+wave))+" of 3 after 20ms") < 0 {
				t.Errorf("the soak of %s was not recorded: %v", c, e.calls)
			}
		}
		if e.index("recordsoak a wave 1 of 3 after 20ms") > e.index("run b canary") {
			t.Errorf("wave 2 started before wave 1's soak ended: %v", e.calls)
		}
		if d := report.Clusters[0].Detail; !strings.Contains(d, "healthy for 20ms (1 stable pods healthy)") {
			t.Errorf("a's detail %q", d)
		}
	})
	t.Run("a cluster unhealthy while soaking is rolled back, the next wave not started", func(t *testing.T) {
		e := newFakeEngine()
		op := canary(ship.DryRunNone)
		op.Options.Gates = gates
		op.Rollback = nil // no health gate while the operation runs: the soak finds it
		e.sick["c"] = true
		report, progress, err := runFleet(e, op, RunOptions{Soak: 500 * time.Millisecond})
		if err == nil || err.Error() != "wave 2 failed in c: later waves not started" {
			t.Fatalf("run: %v", err)
		}
		got := states(report)
		if got["c"] != StateFailed || got["d"] != StateNotStarted || got["b"] != StateDone {
			t.Errorf("states %v", got)
		}
		if !strings.Contains(progress, "[c] failed while soaking: pods: Inconclusive: the server is currently unable to handle the request") {
			t.Errorf("progress %q", progress)
		}
		if e.count("recordsoak b") != 0 || e.count("recordsoak c") != 0 {
			t.Errorf("a soak cut short was recorded: %v", e.calls)
		}
	})
	t.Run("a wave whose soak may have been cut short is soaked again", func(t *testing.T) {
		e := newFakeEngine()
		done := release.Operation{Command: fleetCommand, Time: metav1.Now(), Fleet: &release.FleetStep{Wave: 1, Waves: 3}}
		e.records["a"] = ship.LockState{Operations: []release.Operation{done}}
		op := canary(ship.DryRunNone)
		op.Options.Gates = gates
		_, progress, err := runFleet(e, op, RunOptions{Soak: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(progress, "wave 1/3 (a): its soak may have been cut short: soaking again") || e.count("run a") != 0 {
			t.Errorf("progress %q, calls %v", progress, e.calls)
		}
	})
}

// TestFleetHealthGate: while an operation that can be rolled back runs,
// the health gate watches its cluster and cuts it short when it fails.
func TestFleetHealthGate(t *testing.T) {
	e := newFakeEngine()
	e.blocks["a"], e.sick["a"] = true, true
	op := canary(ship.DryRunNone)
	op.Options.Gates = ship.Gates{CheckEvery: time.Millisecond, InconclusiveLimit: 1}
	report, progress, err := runFleet(e, op, RunOptions{})
	if err == nil || err.Error() != "wave 1 failed in a: later waves not started" {
		t.Fatalf("run: %v", err)
	}
	if got := states(report); got["a"] != StateRolledBack || got["b"] != StateNotStarted {
		t.Errorf("states %v", got)
	}
	if !strings.Contains(progress, "[a] failed: interrupted: health gate: pods: Inconclusive: the server is currently unable to handle the request") {
		t.Errorf("progress %q", progress)
	}
}
