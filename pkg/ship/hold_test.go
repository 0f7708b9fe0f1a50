package ship

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// stepOne is the first step of a progression to web:2, at 25% then 50%.
func stepOne() *release.Progression {
	return &release.Progression{Images: []string{"web=web:2"}, Steps: []string{"25", "50"}, Phase: release.ProgressionRunning}
}

// progression plans web:2 and holds its first step, judging web; its way
// back sets web:1 again and records the progression rolled back.
func progression(hold plans.Action) *fakePlanner {
	return &fakePlanner{verb: "canary",
		plan: func(s *plans.Snapshot) (plans.Plan, error) {
			plan, err := setImage("web:2")(s)
			if len(plan.Steps) == 0 {
				return plan, err
			}
			d, p := plan.Steps[0].Object, stepOne()
			if hold == plans.Await {
				p.Phase = release.ProgressionPaused
			}
			plan.Steps = append(plan.Steps, plans.Step{Action: hold, Object: d, Duration: time.Hour, Progression: p, Reason: "step 1"})
			return plan, err
		},
		recover: func(s *plans.Snapshot, f plans.Failure) (plans.Plan, error) {
			plan, err := undoImage("web:1")(s, f)
			if s.Progression != nil { // none before its first hold
				plan.Progression = s.Progression.End(release.ProgressionRolledBack, f.Err.Error())
			}
			return plan, err
		},
	}
}

func TestHold(t *testing.T) {
	cases := []struct {
		name    string
		cluster func(*fakeCluster)
		gates   Gates
		// wantErr is in the error; gateFailed says whether GateFailed
		// holds of it, cutShort whether CutShort does.
		wantErr              string
		gateFailed, cutShort bool
		image                string
		// recorded are the phases of the progressions recorded; told the
		// events.
		recorded []release.ProgressionPhase
		told     []notify.Type
		progress []string
	}{
		{
			name:       "the pods gate fails: rolled back under the lock, the end recorded and told",
			wantErr:    "gates failed at step 1 of 2 (25%): pods: Fail: no stable pods: deployment web runs none; traffic: Fail: service web has no ready endpoints; rolled back: deployment.apps/web image updated",
			gateFailed: true,
			image:      "web:1",
			recorded:   []release.ProgressionPhase{release.ProgressionRunning, release.ProgressionRolledBack},
			told:       []notify.Type{notify.Started, notify.StepReached, notify.RolledBack},
			progress:   []string{"holding step 1 of 2 (25%) for 1h0m0s, checking 2 gates every 1ms"},
		},
		{
			name:       "the release cannot be read: inconclusive past the limit fails the gates",
			cluster:    func(c *fakeCluster) { c.observeErr = errors.New("connection refused") },
			gates:      Gates{InconclusiveLimit: 1},
			wantErr:    "gates failed at step 1 of 2 (25%): pods: Inconclusive: connection refused; traffic: Inconclusive: connection refused; rolled back",
			gateFailed: true,
			image:      "web:1",
			recorded:   []release.ProgressionPhase{release.ProgressionRunning, release.ProgressionRolledBack},
		},
		{
			name:       "an inconclusive check within the limit fails nothing; past it, it does",
			cluster:    func(c *fakeCluster) { c.observeErr = errors.New("connection refused") },
			gates:      Gates{InconclusiveLimit: 3},
			wantErr:    "pods: Inconclusive: connection refused (inconclusive 3 times in a row)",
			gateFailed: true,
			image:      "web:1",
			recorded:   []release.ProgressionPhase{release.ProgressionRunning, release.ProgressionRunning, release.ProgressionRunning, release.ProgressionRolledBack},
		},
		{
			name:       "the judged Deployment deleted during the hold: rolled back as a failed gate",
			cluster:    func(c *fakeCluster) { c.observeWithoutWeb = true },
			wantErr:    "deployment web was deleted during step 1 of 2 (25%), not by this command",
			gateFailed: true,
			image:      "web:1",
		},
		{
			name: "another command asks it to give way: stopped with the step kept",
			cluster: func(c *fakeCluster) {
				c.staying = newFakeStay()
				c.staying.preempted <- "kubectl ship abort web"
			},
			gates:    Gates{CheckEvery: time.Hour},
			wantErr:  "stopped for kubectl ship abort web at step 1 of 2 (25%)",
			image:    "web:2",
			recorded: []release.ProgressionPhase{release.ProgressionRunning},
			told:     []notify.Type{notify.Started, notify.StepReached, notify.Interrupted},
		},
		{
			name:     "Ctrl-C during the hold: interrupted, to run again",
			cluster:  func(c *fakeCluster) { c.afterWait = func(*fakeCluster) { cancelRun() } },
			gates:    Gates{CheckEvery: time.Hour},
			wantErr:  "interrupted at step 1 of 2 (25%) (run again, its hold starts over)",
			cutShort: true,
			image:    "web:2",
			recorded: []release.ProgressionPhase{release.ProgressionRunning},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancelRun = cancel
			c := newFakeCluster()
			if tc.cluster != nil {
				tc.cluster(c)
			}
			n := &fakeNotifier{}
			r, progress := testRun(c, progression(plans.Hold), Options{Wait: true, Gates: tc.gates, Notifier: n})
			err := r.execute(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("run: error %v, want one with %q", err, tc.wantErr)
			}
			if GateFailed(err) != tc.gateFailed || CutShort(err) != tc.cutShort {
				t.Errorf("GateFailed %t, CutShort %t, want %t, %t", GateFailed(err), CutShort(err), tc.gateFailed, tc.cutShort)
			}
			if c.image != tc.image {
				t.Errorf("web runs %s, want %s", c.image, tc.image)
			}
			if tc.recorded != nil {
				var phases []release.ProgressionPhase
				for _, p := range c.lock.recorded {
					phases = append(phases, p.Phase)
				}
				if !slices.Equal(phases, tc.recorded) {
					t.Errorf("recorded %v, want %v", phases, tc.recorded)
				}
			}
			if tc.told != nil && !slices.Equal(n.types(), tc.told) {
				t.Errorf("told %v, want %v", n.types(), tc.told)
			}
			for _, want := range tc.progress {
				if !strings.Contains(progress.String(), want) {
					t.Errorf("progress %q lacks %q", progress.String(), want)
				}
			}
		})
	}
}

func TestHoldRollbackSaysItRolledBack(t *testing.T) {
	c := newFakeCluster()
	fp := progression(plans.Hold)
	r, _ := testRun(c, fp, Options{Wait: true, Command: command})
	err := r.execute(context.Background())
	var undone *UndoneError
	if !errors.As(err, &undone) || !undone.Gate {
		t.Fatalf("run: %v, want an UndoneError by a gate", err)
	}
	if got := undone.Error(); !strings.HasSuffix(got, "; rolled back: deployment.apps/web image updated") {
		t.Errorf("error %q, want it to say what was rolled back", got)
	}
	if len(fp.failures) != 1 || !fp.failures[0].Gate || fp.failures[0].TimedOut {
		t.Errorf("Recover was told %+v, want one gate failure", fp.failures)
	}
	if p := c.lock.recorded[len(c.lock.recorded)-1]; p.EndedBy != command+" (alice)" {
		t.Errorf("the rollback ended by %q", p.EndedBy)
	}
}

// TestWaitBeforeHold fails the wait before a hold at once when what it
// waits for is judged failed, rather than at its timeout.
func TestWaitBeforeHold(t *testing.T) {
	c := newFakeCluster()
	c.observeWithoutWeb = true
	c.waitBlocks = true
	r, _ := testRun(c, progression(plans.Hold), Options{Wait: true})
	err := r.execute(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gates failed at the wait for deployment.apps/web: pods: Fail: deployment web is not part of release other; rolled back") {
		t.Fatalf("run: %v, want the wait's gate failure", err)
	}
	if c.image != "web:1" {
		t.Errorf("web runs %s, want it rolled back", c.image)
	}
}

func TestAwait(t *testing.T) {
	since := metav1.NewTime(time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC))
	judged := func(verdict string) *release.Progression {
		p := stepOne()
		p.Phase, p.Since = release.ProgressionPaused, since
		p.Approvals = []release.Approval{{Step: 0, Pause: since, Verdict: verdict, User: "bob", Reason: "dashboards look fine"}}
		return p
	}
	cases := []struct {
		name     string
		wait     bool
		verdict  *release.Progression
		wantErr  string
		image    string
		told     []notify.Type
		progress []string
	}{
		{
			name:     "without --wait the pause is recorded and the run ends",
			image:    "web:2",
			told:     []notify.Type{notify.Started, notify.Paused},
			progress: []string{"awaiting approval at step 1 of 2", "not waiting for it (--wait=false): 'kubectl ship approve web' carries the progression on"},
		},
		{
			name:     "approved: the progression goes on",
			wait:     true,
			verdict:  judged(release.VerdictApproved),
			image:    "web:2",
			told:     []notify.Type{notify.Started, notify.Paused, notify.Approved},
			progress: []string{"step 1 of 2 approved by bob: dashboards look fine"},
		},
		{
			name:    "rejected: rolled back as a failed gate",
			wait:    true,
			verdict: judged(release.VerdictRejected),
			wantErr: "gates failed at step 1 of 2: rejected by bob: dashboards look fine; rolled back: deployment.apps/web image updated",
			image:   "web:1",
			told:    []notify.Type{notify.Started, notify.Paused, notify.Rejected, notify.RolledBack},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeCluster()
			c.staying = newFakeStay()
			if tc.verdict != nil {
				c.staying.verdict <- tc.verdict
			}
			n := &fakeNotifier{}
			r, progress := testRun(c, progression(plans.Await), Options{Wait: tc.wait, Notifier: n})
			err := r.execute(context.Background())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("run: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("run: error %v, want one with %q", err, tc.wantErr)
			}
			if c.image != tc.image {
				t.Errorf("web runs %s, want %s", c.image, tc.image)
			}
			if !slices.Equal(n.types(), tc.told) {
				t.Errorf("told %v, want %v", n.types(), tc.told)
			}
			if c.lock.recorded[0].Phase != release.ProgressionPaused || c.lock.recorded[0].Since.IsZero() {
				t.Errorf("recorded %+v first, want the pause with its time", c.lock.recorded[0])
			}
			for _, want := range tc.progress {
				if !strings.Contains(progress.String(), want) {
					t.Errorf("progress %q lacks %q", progress.String(), want)
				}
			}
		})
	}
}

func TestStay(t *testing.T) {
	stay := func(s *plans.Snapshot) (plans.Plan, error) {
		plan, err := setImage("web:2")(s)
		if len(plan.Steps) == 0 {
			return plan, err
		}
		// Stay, then a last write that a stay cut short leaves undone.
		last := plan.Steps[0]
		last.Reason = "scale blue to zero"
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Stay, Duration: time.Millisecond, Reason: "scale-down delay"}, last)
		return plan, err
	}
	t.Run("the stay ends when its time is up, and the plan goes on", func(t *testing.T) {
		c := newFakeCluster()
		r, progress := testRun(c, planOnly(&fakePlanner{verb: "switch", plan: stay}), Options{Wait: true})
		if err := r.execute(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(progress.String(), "staying 1ms: scale-down delay") || !slices.Equal(c.staying.ended, []string{"end false"}) {
			t.Errorf("progress %q, stay ended %v", progress, c.staying.ended)
		}
	})
	t.Run("asked to give way: what follows is left undone, and that is no failure", func(t *testing.T) {
		c := newFakeCluster()
		c.staying = newFakeStay()
		c.staying.preempted <- "kubectl ship switch web --to blue"
		r, progress := testRun(c, planOnly(&fakePlanner{verb: "switch", plan: func(s *plans.Snapshot) (plans.Plan, error) {
			plan, err := stay(s)
			for i := range plan.Steps {
				plan.Steps[i].Duration *= 3600_000 // a stay that only ends when asked
			}
			return plan, err
		}}), Options{Wait: true})
		if err := r.execute(context.Background()); err != nil {
			t.Fatal(err)
		}
		if want := "stopped for kubectl ship switch web --to blue: left undone: scale blue to zero"; !strings.Contains(progress.String(), want) {
			t.Errorf("progress %q lacks %q", progress, want)
		}
		if c.lock.released == nil || !strings.Contains(c.lock.released.Error, "stopped while staying (stopped for kubectl ship switch web --to blue)") {
			t.Errorf("recorded %+v", c.lock.released)
		}
	})
}
