package ship

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// GateError is a hold whose gates failed past their limits: what the
// planner's Recover rolls back.
type GateError struct {
	Step   string
	Reason string
}

func (e *GateError) Error() string { return "gates failed at " + e.Step + ": " + e.Reason }

// hold carries out a Hold: it records the step reached, then checks the
// gates every CheckEvery until the hold's time is up and a check passed,
// recording each check's results. The failures and the runs of
// inconclusive results are counted across the holds of a run, so that no
// step starts them over; a step whose time is up goes on checking until a
// check passes every gate, so none is left on one that did not. A failure
// past the limits ends it with a GateError, a Deployment under test that
// someone removed with a RemovedError; Ctrl-C, or another command on the
// release asking it to give way, stops it with the step kept and the way on
// said.
func (r *run) hold(ctx context.Context, lock heldLock, step plans.Step) error {
	h := &holding{r: r, step: step}
	h.p, h.where = r.holdProgression(step)
	if err := h.record(ctx, lock); err != nil {
		return err
	}
	checks, err := r.checker(step)
	if err != nil {
		return err
	}
	checks.where = h.where
	every := r.o.Gates.CheckEvery
	n := len(checks.gates) + 2 // the pods and traffic gates are built in
	fmt.Fprintf(r.o.Progress, "holding %s for %s, checking %d gates every %s\n", h.where, step.Duration, n, every)
	if r.tracker == nil {
		r.tracker = &gate.Tracker{FailureLimit: r.o.Gates.FailureLimit, InconclusiveLimit: r.o.Gates.InconclusiveLimit, Failures: h.p.Failures}
	}
	if h.staying, err = lock.Stay(ctx, time.Now().Add(step.Duration)); err != nil {
		return err
	}
	return h.checkUntilHeld(ctx, lock, checks, every)
}

// holdProgression is the progression record a hold of step keeps, and
// where the hold is said to be. A hold of a progression's step keeps the
// progression's record; one of a blue-green release (--verify-for) has
// none.
func (r *run) holdProgression(step plans.Step) (release.Progression, string) {
	var p release.Progression
	where := step.Reason
	if step.Progression != nil {
		p = *step.Progression
		p.Since = metav1.Now()
		if last := r.progression; last.Active() && last.Same(p.Images, p.Steps) && last.Step == p.Step {
			p.Failures = last.Failures // a resumed step keeps its failures; a retry after a rollback does not
		}
		if !p.Verify {
			where = fmt.Sprintf("step %d of %d (%s)", p.Step+1, len(p.Steps), p.At())
		}
	}
	return p, where
}

// holding is one hold under way: its step, the progression it records,
// where it is said to be, and the stay that keeps the release.
type holding struct {
	r       *run
	step    plans.Step
	p       release.Progression
	where   string
	staying heldStay
}

// checkUntilHeld checks the gates every every until the hold's time is up
// and a check passed, or a failure, a preemption or Ctrl-C ends it.
func (h *holding) checkUntilHeld(ctx context.Context, lock heldLock, checks *checker, every time.Duration) error {
	ticker, timer := time.NewTicker(every), time.NewTimer(h.step.Duration)
	defer ticker.Stop()
	defer timer.Stop()
	timeUp, passed := false, false
	for {
		select {
		case <-timer.C:
			if timeUp = true; passed {
				return h.held(ctx)
			}
			fmt.Fprintf(h.r.o.Progress, "%s: held %s, but no check has passed every gate since its last failure or inconclusive result: checking on until one does\n", h.where, h.step.Duration)
		case by := <-h.staying.Preempted():
			_ = h.staying.End(ctx, true)
			return fmt.Errorf("%w at %s", &PreemptedError{By: by}, h.where)
		case <-ctx.Done():
			_ = h.staying.End(context.WithoutCancel(ctx), false)
			return &interruptedError{"interrupted at " + h.where + " (run again, its hold starts over)"}
		case <-ticker.C:
			var err error
			if passed, err = h.check(ctx, checks); err != nil {
				return err
			}
			if timeUp && passed {
				return h.held(ctx)
			}
			if err := h.record(ctx, lock); err != nil {
				return err
			}
		}
	}
}

// check checks the gates once and says whether every gate passed; a
// check that fails to run, or failures past the limits, end the hold.
func (h *holding) check(ctx context.Context, checks *checker) (bool, error) {
	results, err := checks.check(ctx)
	if err != nil {
		// The rollback reads the release at once: no write before it.
		h.leave()
		return false, err
	}
	outcome := h.r.tracker.Observe(results)
	passed := allPass(results)
	h.p.Gates, h.p.Failures = results, h.r.tracker.Failures
	// A webhook's or Prometheus's answer is untrusted: escaped.
	fmt.Fprintf(h.r.o.Progress, "%s: %s\n", h.where, release.EscapeTerminal(summary(results)))
	if outcome.Exhausted {
		// The rollback reads the release at once and records the
		// failure: no write before it.
		h.leave()
		return false, &GateError{Step: h.where, Reason: outcome.Reason}
	}
	return passed, nil
}

// record keeps the progression's record, if the hold has one.
func (h *holding) record(ctx context.Context, lock heldLock) error {
	if h.step.Progression == nil {
		return nil
	}
	return h.r.saveProgression(ctx, lock, &h.p)
}

// held ends a hold whose time is up and whose last check passed.
func (h *holding) held(ctx context.Context) error {
	h.p.Held = true
	h.r.trail = append(h.r.trail, fmt.Sprintf("%s held %s", h.where, h.step.Duration))
	// The stay ends recording where the progression stands in the same write.
	if h.step.Progression == nil {
		return h.staying.End(ctx, false)
	}
	h.r.progression = &h.p
	return h.staying.EndRecording(ctx, &h.p)
}

// leave gives up the stay without a write, for the rollback that follows.
func (h *holding) leave() {
	h.staying.Leave()
	if h.step.Progression != nil {
		h.r.progression = &h.p
	}
}

// allPass says whether every gate of a check passed.
func allPass(results []gate.Result) bool {
	for _, r := range results {
		if r.Verdict != gate.Pass {
			return false
		}
	}
	return true
}

// interruptedError is a hold cut short by Ctrl-C: the release stays where
// it is, and running the command again goes on.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

// saveProgression keeps p in the release's record, and as the progression this run
// plans from; a progression that ends says by which command and whom.
func (r *run) saveProgression(ctx context.Context, lock heldLock, p *release.Progression) error {
	if p.Ended() && p.EndedBy == "" {
		p.EndedBy = r.holder.Command
		if r.holder.User != "" {
			p.EndedBy += " (" + r.holder.User + ")"
		}
	}
	r.progression = p
	return lock.SaveProgression(ctx, p)
}

// summary is one check's results on a line.
func summary(results []gate.Result) string {
	parts := make([]string, len(results))
	for i, res := range results {
		parts[i] = res.String()
	}
	return strings.Join(parts, "; ")
}

// GateFailed reports whether err ended an operation because its gates
// failed, or what they judged was removed, or its next step could not be
// taken: the release was rolled back,
// or (a new color verified before any switch) never moved.
func GateFailed(err error) bool {
	var gateErr *GateError
	var removed *RemovedError
	var refused *plans.StepRefusedError
	return errors.As(err, &gateErr) || errors.As(err, &removed) || errors.As(err, &refused)
}
