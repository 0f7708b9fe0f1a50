package ship

import (
	"context"
	"errors"
	"fmt"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// recoverable says whether err, from carrying out a plan, is a wait that
// failed (ran out of time, or past its progress deadline) and the planner
// knows a way back. A wait cut short by Ctrl-C is left as it is.
func (r *run) recoverable(ctx context.Context, err error) (strategy.Failure, strategy.Recoverer, bool) {
	recoverer, ok := r.p.(strategy.Recoverer)
	var gateErr *GateError
	gateFailed := errors.As(err, &gateErr)
	if !ok || err == nil || !r.waitFailed && !gateFailed || ctx.Err() != nil {
		return strategy.Failure{}, nil, false
	}
	var waitErr *kube.WaitError
	return strategy.Failure{Err: err, TimedOut: errors.As(err, &waitErr) && waitErr.TimedOut, Gate: gateFailed}, recoverer, true
}

// recover plans and carries out the planner's way back from failure, still
// under the lock, and says what it did.
func (r *run) recover(ctx context.Context, lock *kube.Lock, p strategy.Recoverer, failure strategy.Failure) error {
	// The way back starts soon after a failure: the user's rules are asked
	// for while the release is read.
	var rules *kube.Rules
	var rulesErr error
	reviewed := make(chan struct{})
	go func() {
		defer close(reviewed)
		rules, rulesErr = r.client.ReviewAccess(ctx, r.t.Namespace)
	}()
	needs := p.RecoverNeeds()
	snap, err := r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Choice(), needs)
	<-reviewed
	if err != nil {
		return fmt.Errorf("%w; could not read the release to undo it: %v", failure.Err, err)
	}
	snap.Progression = r.progression // the step reached and its checks, for the record
	plan, err := p.Recover(snap, failure)
	if err == nil {
		err = strategy.Validate(plan)
	}
	if err == nil && plan.Writes() {
		err = rulesErr
		if err == nil {
			err = rules.Check(r.t.Name, plan, needs)
		}
	}
	if err == nil && len(plan.Steps) == 0 && plan.Progression == nil {
		return failure.Err
	}
	before := len(r.res.Changes)
	if err == nil {
		err = r.carryOut(ctx, lock, plan, false)
	}
	if err == nil && plan.Progression != nil {
		err = r.record(ctx, lock, plan.Progression)
	}
	if err != nil {
		return fmt.Errorf("%w; could not undo it: %v", failure.Err, err)
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
func merge(a, b strategy.Needs) strategy.Needs {
	routes := strategy.RouteNeeds{Named: a.Routes.Named, Recorded: a.Routes.Recorded || b.Routes.Recorded,
		Discover: a.Routes.Discover || b.Routes.Discover, Grants: a.Routes.Grants || b.Routes.Grants}
	if routes.Named == nil {
		routes.Named = b.Routes.Named
	}
	return strategy.Needs{Capacity: a.Capacity || b.Capacity, Revisions: a.Revisions || b.Revisions,
		Autoscalers: a.Autoscalers || b.Autoscalers, Routes: routes}
}
