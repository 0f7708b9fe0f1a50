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
	// The way back starts soon after a failure: the user's rules are asked
	// for while the release is read.
	// The lock is read again at the same time: a command that was stopped
	// while another took its lock over undoes nothing.
	var rules *kube.Rules
	var rulesErr, lockErr error
	var checked sync.WaitGroup
	checked.Add(2)
	go func() {
		defer checked.Done()
		rules, rulesErr = r.client.ReviewAccess(ctx, r.t.Namespace)
	}()
	go func() {
		defer checked.Done()
		lockErr = lock.Check(ctx)
	}()
	needs := p.RecoverNeeds()
	snap, err := r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Choice(), needs, r.routeRecord)
	checked.Wait()
	if lockErr != nil {
		return fmt.Errorf("%w; nothing undone: %v", failure.Err, lockErr)
	}
	if err != nil {
		return fmt.Errorf("%w; could not read the release to undo it: %v", failure.Err, err)
	}
	before := len(r.res.Changes)
	var plan plans.Plan
	undo := func() error {
		snap.Progression = r.progression // the step reached and its checks, for the record
		var err error
		if plan, err = p.Recover(snap, failure); err == nil {
			err = plans.Validate(plan)
		}
		if err == nil && plan.Writes() {
			if err = rulesErr; err == nil {
				err = rules.Check(r.t.Name, plan, needs)
			}
		}
		if err != nil || len(plan.Steps) == 0 && plan.Progression == nil {
			return err
		}
		r.tell(plan) // a forced rollback is announced before it acts
		if err := r.carryOut(ctx, lock, plan, false); err != nil {
			return err
		}
		if plan.RouteRestored {
			r.forgetRoute(lock)
		}
		if plan.Progression != nil && !plan.Continue {
			return r.saveProgression(ctx, lock, plan.Progression)
		}
		return nil
	}
	// Someone else wrote what the way back was planned from (a controller
	// updating a Deployment's status while its pods come up): it is planned
	// again from a fresh read, what it already undid left out. A way back
	// in segments (a DaemonSet's nodes, batch by batch) plans each from a
	// fresh read too.
	first := true
	err = retry.OnError(retry.DefaultRetry, apierrors.IsConflict, func() error {
		for {
			if !first {
				var err error
				if snap, err = r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Choice(), needs, r.routeRecord); err != nil {
					return err
				}
			}
			first = false
			if err := undo(); err != nil || !plan.Continue {
				return err
			}
		}
	})
	switch {
	case err != nil:
		return fmt.Errorf("%w; could not undo it: %v", failure.Err, err)
	case len(plan.Steps) == 0:
		return failure.Err // nothing to undo: only the record, if anything, says what failed
	}
	if plan.Progression != nil {
		r.notifyRecorded(plan.Progression)
	}
	return &UndoneError{Err: failure.Err, Undone: r.lines()[before:], Gate: failure.Gate}
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
