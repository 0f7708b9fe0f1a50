package ship

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// errLeftAwaiting ends a run without --wait at a pause it recorded: the
// approval carries the progression on.
var errLeftAwaiting = errors.New("left awaiting approval")

// await carries out an Await: it records the pause (since when, kept when
// the same pause is awaited again), says so, and stays, giving way to any
// other command on the release, until a verdict arrives in the release's
// record: an approval ends it and the progression goes on; a rejection
// fails it as a gate would, so the progression is rolled back. Without
// --wait the run ends once the pause is recorded.
func (r *run) await(ctx context.Context, lock heldLock, step plans.Step) error {
	p := *step.Progression
	if last := r.progression; last.Same(p.Images, p.Steps) && last.Phase == release.ProgressionPaused && last.Step == p.Step && !last.Since.IsZero() {
		p.Since = last.Since
	} else {
		// The record keeps seconds: the verdict names the pause by it.
		p.Since = metav1.Now().Rfc3339Copy()
	}
	if err := r.saveProgression(ctx, lock, &p); err != nil {
		return err
	}
	where := fmt.Sprintf("step %d of %d", p.Step+1, len(p.Steps))
	fmt.Fprintf(r.o.Progress, "awaiting approval at %s since %s\n", where, p.Since.Format("15:04:05"))
	r.shown = &p
	r.notify(notify.Paused, "", "")
	if !r.o.Wait {
		fmt.Fprintf(r.o.Progress, "not waiting for it (--wait=false): 'kubectl ship approve %s' carries the progression on\n", r.t.Name)
		r.trail = append(r.trail, where+" awaiting approval")
		return errLeftAwaiting
	}
	waiting, err := lock.Await(ctx)
	if err != nil {
		return err
	}
	select {
	case judged := <-waiting.Verdict():
		v := judged.Verdict()
		r.shown, r.progression = judged, judged
		fmt.Fprintf(r.o.Progress, "%s %s\n", where, release.EscapeTerminal(v.Describe()))
		r.trail = append(r.trail, where+" "+v.Describe())
		if v.Verdict == release.VerdictApproved {
			r.notify(notify.Approved, v.User, v.Reason)
			return waiting.End(ctx, false)
		}
		r.notify(notify.Rejected, v.User, v.Reason)
		waiting.Leave()
		return &GateError{Step: where, Reason: v.Describe()}
	case by := <-waiting.Preempted():
		_ = waiting.End(ctx, true)
		return fmt.Errorf("%w at %s", &PreemptedError{By: by}, where)
	case <-ctx.Done():
		_ = waiting.End(context.WithoutCancel(ctx), false)
		return &interruptedError{"interrupted at " + where + " awaiting approval (run again to await it again, or 'kubectl ship approve " + r.t.Name + "')"}
	}
}
