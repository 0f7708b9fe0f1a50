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
	// A hold of a progression's step keeps the progression's record; one of
	// a blue-green release (--verify-for) has none.
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
	record := func() error {
		if step.Progression == nil {
			return nil
		}
		return r.saveProgression(ctx, lock, &p)
	}
	// end ends the stay, recording where the progression stands in the
	// same write.
	end := func(staying heldStay) error {
		if step.Progression == nil {
			return staying.End(ctx, false)
		}
		r.progression = &p
		return staying.EndRecording(ctx, &p)
	}
	if err := record(); err != nil {
		return err
	}
	checks, err := r.checker(step)
	if err != nil {
		return err
	}
	checks.where = where
	every := r.o.Gates.CheckEvery
	n := len(checks.gates) + 2 // the pods and traffic gates are built in
	fmt.Fprintf(r.o.Progress, "holding %s for %s, checking %d gates every %s\n", where, step.Duration, n, every)
	if r.tracker == nil {
		r.tracker = &gate.Tracker{FailureLimit: r.o.Gates.FailureLimit, InconclusiveLimit: r.o.Gates.InconclusiveLimit, Failures: p.Failures}
	}
	staying, err := lock.Stay(ctx, time.Now().Add(step.Duration))
	if err != nil {
		return err
	}
	ticker, timer := time.NewTicker(every), time.NewTimer(step.Duration)
	defer ticker.Stop()
	defer timer.Stop()
	timeUp, passed := false, false
	held := func() error {
		p.Held = true
		r.trail = append(r.trail, fmt.Sprintf("%s held %s", where, step.Duration))
		return end(staying)
	}
	for {
		select {
		case <-timer.C:
			if timeUp = true; passed {
				return held()
			}
			fmt.Fprintf(r.o.Progress, "%s: held %s, but no check has passed every gate since its last failure or inconclusive result: checking on until one does\n", where, step.Duration)
		case by := <-staying.Preempted():
			_ = staying.End(ctx, true)
			return fmt.Errorf("%w at %s", &PreemptedError{By: by}, where)
		case <-ctx.Done():
			_ = staying.End(context.WithoutCancel(ctx), false)
			return &interruptedError{"interrupted at " + where + " (run again, its hold starts over)"}
		case <-ticker.C:
			results, err := checks.check(ctx)
			if err != nil {
				// The rollback reads the release at once: no write before it.
				staying.Leave()
				if step.Progression != nil {
					r.progression = &p
				}
				return err
			}
			outcome := r.tracker.Observe(results)
			passed = allPass(results)
			p.Gates, p.Failures = results, r.tracker.Failures
			// A webhook's or Prometheus's answer is untrusted: escaped.
			fmt.Fprintf(r.o.Progress, "%s: %s\n", where, release.EscapeTerminal(summary(results)))
			if outcome.Exhausted {
				// The rollback reads the release at once and records the
				// failure: no write before it.
				staying.Leave()
				if step.Progression != nil {
					r.progression = &p
				}
				return &GateError{Step: where, Reason: outcome.Reason}
			}
			if timeUp && passed {
				return held()
			}
			if err := record(); err != nil {
				return err
			}
		}
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
