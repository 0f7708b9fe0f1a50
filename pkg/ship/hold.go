package ship

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// GateError is a hold whose gates failed past their limits: what the
// planner's Recover rolls back.
type GateError struct {
	Step   string
	Reason string
}

func (e *GateError) Error() string { return "gates failed at " + e.Step + ": " + e.Reason }

// hold carries out a Hold: it records the step reached, then checks the
// gates every CheckEvery until the hold's time is up, recording each
// check's results. A failure past the limits ends it with a GateError;
// Ctrl-C, or another command on the release asking it to give way, stops
// it with the step kept and the way on said.
func (r *run) hold(ctx context.Context, lock *kube.Lock, step strategy.Step) error {
	// A hold of a progression's step keeps the progression's record; one of
	// a blue-green release (--verify-for) has none.
	var p release.Progression
	where := step.Reason
	if step.Progression != nil {
		p = *step.Progression
		p.Since = metav1.Now()
		if last := r.progression; last.Same(p.Images, p.Steps) && last.Step == p.Step {
			p.Failures = last.Failures // a resumed step keeps its failures
		}
		where = fmt.Sprintf("step %d of %d (%d%%)", p.Step+1, len(p.Steps), p.Weight())
	}
	record := func() error {
		if step.Progression == nil {
			return nil
		}
		return r.record(ctx, lock, &p)
	}
	// end ends the stay, recording where the progression stands in the
	// same write.
	end := func(staying *kube.Staying) error {
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
	every := r.o.Gates.CheckEvery
	fmt.Fprintf(r.o.Progress, "holding %s for %s, checking %d %s every %s\n", where, step.Duration, len(checks.gates)+1, plural(len(checks.gates)+1, "gate"), every)
	tracker := gate.Tracker{FailureLimit: r.o.Gates.FailureLimit, InconclusiveLimit: r.o.Gates.InconclusiveLimit, Failures: p.Failures}
	staying, err := lock.Stay(ctx, time.Now().Add(step.Duration))
	if err != nil {
		return err
	}
	ticker, timer := time.NewTicker(every), time.NewTimer(step.Duration)
	defer ticker.Stop()
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			p.Held = true
			r.trail = append(r.trail, fmt.Sprintf("%s held %s", where, step.Duration))
			return end(staying)
		case by := <-staying.Preempted():
			_ = staying.End(ctx, true)
			return fmt.Errorf("%w at %s", &PreemptedError{By: by}, where)
		case <-ctx.Done():
			_ = staying.End(context.WithoutCancel(ctx), false)
			return &interruptedError{"interrupted at " + where + " (run again, its hold starts over)"}
		case <-ticker.C:
			results := checks.check(ctx)
			outcome := tracker.Observe(results)
			p.Gates, p.Failures = results, tracker.Failures
			fmt.Fprintf(r.o.Progress, "%s: %s\n", where, summary(results))
			if outcome.Exhausted {
				// The rollback reads the release at once and records the
				// failure: no write before it.
				staying.Leave()
				if step.Progression != nil {
					r.progression = &p
				}
				return &GateError{Step: where, Reason: outcome.Reason}
			}
			if err := record(); err != nil {
				return err
			}
		}
	}
}

// interruptedError is a hold cut short by Ctrl-C: the release stays where
// it is, and running the command again goes on.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

// record keeps p in the release's record, and as the progression this run
// plans from.
func (r *run) record(ctx context.Context, lock *kube.Lock, p *release.Progression) error {
	r.progression = p
	return lock.Record(ctx, p)
}

// summary is one check's results on a line.
func summary(results []gate.Result) string {
	parts := make([]string, len(results))
	for i, res := range results {
		parts[i] = res.String()
	}
	return strings.Join(parts, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// GateFailed reports whether err ended an operation because its gates
// failed: the release was rolled back by them, or (a new color verified
// before any switch) never moved.
func GateFailed(err error) bool {
	var gateErr *GateError
	return errors.As(err, &gateErr)
}
