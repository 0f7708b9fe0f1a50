package ship

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// PreemptedError is a stay or a hold cut short by another command on the
// release, which asked it to give way.
type PreemptedError struct{ By string }

func (e *PreemptedError) Error() string { return "stopped for " + e.By }

// stay holds the lock for d, marked so that another command on the release
// may ask it to give way; it ends when d is up, at Ctrl-C, or when asked.
func (r *run) stay(ctx context.Context, lock heldLock, d time.Duration) error {
	staying, err := lock.Stay(ctx, time.Now().Add(d))
	if err != nil {
		return err
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return staying.End(ctx, false)
	case by := <-staying.Preempted():
		_ = staying.End(ctx, true)
		return &PreemptedError{By: by}
	case <-ctx.Done():
		_ = staying.End(context.WithoutCancel(ctx), false)
		return ctx.Err()
	}
}

// stopStay says what a stay cut short by Ctrl-C or another command leaves
// undone.
func (r *run) stopStay(err error, rest []plans.Step) error {
	var preempted *PreemptedError
	if !errors.As(err, &preempted) && !errors.Is(err, context.Canceled) {
		return err
	}
	why := "interrupted"
	if preempted != nil {
		why = preempted.Error()
	}
	var undone []string
	for _, s := range rest {
		if s.Writes() {
			undone = append(undone, s.Reason)
		}
	}
	fmt.Fprintf(r.o.Progress, "%s: left undone: %s\n", why, joinLines(undone))
	return fmt.Errorf("%w (%s)", errStopped, why)
}
