package ship

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// recoverable says whether err, from carrying out a plan, is a wait that
// failed (ran out of time, or past its progress deadline) and the planner
// knows a way back. A wait cut short by Ctrl-C is left as it is.
func (r *run) recoverable(ctx context.Context, err error) (plans.Failure, plans.Recoverer, bool) {
	recoverer, ok := r.p.(plans.Recoverer)
	gateFailed := GateFailed(err)
	if !ok || err == nil || !r.waitFailed && !gateFailed || ctx.Err() != nil {
		return plans.Failure{}, nil, false
	}
	var waitErr *kube.WaitError
	return plans.Failure{Err: err, TimedOut: errors.As(err, &waitErr) && waitErr.TimedOut, Gate: gateFailed}, recoverer, true
}

// recover plans and carries out the planner's way back from failure, still
// under the lock, and says what it did.
func (r *run) recover(ctx context.Context, lock heldLock, p plans.Recoverer, failure plans.Failure) error {
	rec := &recovery{r: r, lock: lock, recoverer: p, failure: failure, needs: p.RecoverNeeds()}
	if err := rec.read(ctx); err != nil {
		return err
	}
	before := len(r.res.Changes)
	// Someone else wrote what the way back was planned from (a controller
	// updating a Deployment's status while its pods come up): it is planned
	// again from a fresh read, what it already undid left out. A way back
	// in segments (a DaemonSet's nodes, batch by batch) plans each from a
	// fresh read too.
	first := true
	err := retry.OnError(retry.DefaultRetry, apierrors.IsConflict, func() error {
		for {
			if !first {
				var err error
				if rec.from, err = rec.load(ctx); err != nil {
					return err
				}
			}
			first = false
			if err := rec.undo(ctx); err != nil || !rec.plan.Continue {
				return err
			}
		}
	})
	switch {
	case err != nil:
		return fmt.Errorf("%w; could not undo it: %v", failure.Err, err)
	case len(rec.plan.Steps) == 0:
		return failure.Err // nothing to undo: only the record, if anything, says what failed
	}
	if rec.plan.Progression != nil {
		r.notifyRecorded(rec.plan.Progression)
	}
	return &UndoneError{Err: failure.Err, Undone: r.lines()[before:], Gate: failure.Gate}
}

// recovery is one way back from a failure: what it was planned from, and
// the plan.
type recovery struct {
	r         *run
	lock      heldLock
	recoverer plans.Recoverer
	failure   plans.Failure
	needs     plans.Needs

	rules    *kube.Rules
	rulesErr error
	// from is the release as read for the way back.
	from *plans.Snapshot
	plan plans.Plan
}

// read loads the release to undo. The way back starts soon after a
// failure: the user's rules are asked for while the release is read. The
// lock is read again at the same time: a command that was stopped while
// another took its lock over undoes nothing.
func (rec *recovery) read(ctx context.Context) error {
	var lockErr error
	var checked sync.WaitGroup
	checked.Add(2)
	go func() {
		defer checked.Done()
		rec.rules, rec.rulesErr = rec.r.client.ReviewAccess(ctx, rec.r.t.Namespace)
	}()
	go func() {
		defer checked.Done()
		lockErr = rec.lock.Check(ctx)
	}()
	var err error
	rec.from, err = rec.load(ctx)
	checked.Wait()
	if lockErr != nil {
		return fmt.Errorf("%w; nothing undone: %v", rec.failure.Err, lockErr)
	}
	if err != nil {
		return fmt.Errorf("%w; could not read the release to undo it: %v", rec.failure.Err, err)
	}
	return nil
}

// load reads what the way back is planned from.
func (rec *recovery) load(ctx context.Context) (*plans.Snapshot, error) {
	return rec.r.client.Load(ctx, rec.r.t.Namespace, rec.r.t.Name, rec.r.t.Choice(), rec.needs, rec.r.routeRecord)
}

// undo plans the way back from what was read and carries it out, its
// progression recorded.
func (rec *recovery) undo(ctx context.Context) error {
	if err := rec.planUndo(); err != nil || len(rec.plan.Steps) == 0 && rec.plan.Progression == nil {
		return err
	}
	rec.r.tell(rec.plan) // a forced rollback is announced before it acts
	if err := rec.r.carryOut(ctx, rec.lock, rec.plan, false); err != nil {
		return err
	}
	if rec.plan.RouteRestored {
		rec.r.forgetRoute(rec.lock)
	}
	if rec.plan.Progression != nil && !rec.plan.Continue {
		return rec.r.saveProgression(ctx, rec.lock, rec.plan.Progression)
	}
	return nil
}

// planUndo plans the way back and checks it as every plan is: valid, and
// allowed to the user when it writes.
func (rec *recovery) planUndo() error {
	rec.from.Progression = rec.r.progression // the step reached and its checks, for the record
	var err error
	if rec.plan, err = rec.recoverer.Recover(rec.from, rec.failure); err == nil {
		err = plans.Validate(rec.plan)
	}
	if err == nil && rec.plan.Writes() {
		if err = rec.rulesErr; err == nil {
			err = rec.rules.Check(rec.r.t.Name, rec.plan, rec.needs)
		}
	}
	return err
}

// UndoneError is a failure that the operation then undid.
type UndoneError struct {
	Err    error
	Undone []string
	// Gate is set when a gate failed: the release was rolled back by it.
	Gate bool
}

func (e *UndoneError) Error() string {
	if e.Gate {
		return fmt.Sprintf("%v; rolled back: %v", e.Err, joinLines(e.Undone))
	}
	return fmt.Sprintf("%v; undone: %v", e.Err, joinLines(e.Undone))
}

func (e *UndoneError) Unwrap() error { return e.Err }

// merge is what either of a and b needs: the recovery of a release that
// runs through a route reads the route too.
func merge(a, b plans.Needs) plans.Needs {
	routes := plans.RouteNeeds{Named: a.Routes.Named, Recorded: a.Routes.Recorded || b.Routes.Recorded,
		Discover: a.Routes.Discover || b.Routes.Discover, Grants: a.Routes.Grants || b.Routes.Grants}
	if routes.Named == nil {
		routes.Named = b.Routes.Named
	}
	return plans.Needs{Capacity: a.Capacity || b.Capacity, Revisions: a.Revisions || b.Revisions,
		Autoscalers: a.Autoscalers || b.Autoscalers, Routes: routes, Unserved: a.Unserved || b.Unserved, StatefulSet: a.StatefulSet || b.StatefulSet,
		DaemonSet: a.DaemonSet || b.DaemonSet, NodeSelector: cmp.Or(a.NodeSelector, b.NodeSelector)}
}
