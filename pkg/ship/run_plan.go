package ship

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// plan reads the release and plans.
func (r *run) plan(ctx context.Context, needs plans.Needs) (plans.Plan, error) {
	snap, err := r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Choice(), needs, r.routeRecord)
	if err == nil {
		snap, err = r.resolve(ctx, snap)
	}
	if err != nil {
		return plans.Plan{}, err
	}
	snap.Progression, r.snap = r.progression, snap
	plan, err := r.p.Plan(snap)
	if err != nil {
		return plans.Plan{}, err
	}
	if err := plans.Validate(plan); err != nil {
		return plans.Plan{}, err
	}
	return plan, nil
}

// firstPlan is plan for a run's first segment: a progression's next step
// refused before this run moved anything is a refusal, not a rollback.
func (r *run) firstPlan(ctx context.Context) (plans.Plan, error) {
	plan, err := r.plan(ctx, r.p.Needs())
	var refused *plans.StepRefusedError
	if errors.As(err, &refused) {
		err = refused.Err
	}
	return plan, err
}

// tell says the plan's notes, each once in a run: before anything is
// written, and after every check that could refuse the plan, so that a
// refusal is one line.
func (r *run) tell(plan plans.Plan) {
	for _, note := range plan.Notes {
		if !r.noted[note] {
			fmt.Fprintln(r.o.Progress, note)
			r.noted[note] = true
		}
	}
}

// check makes sure, before the first write, that the user may make every
// request of the plan and of its recovery, and learns who the user is, for
// the record: two requests, at once.
func (r *run) check(ctx context.Context, plan plans.Plan) (kube.Holder, error) {
	holder := kube.Holder{Command: r.o.Command, Verb: r.p.Verb()}
	needs := r.p.Needs()
	if recoverer, ok := r.p.(plans.Recoverer); ok {
		needs = merge(needs, recoverer.RecoverNeeds())
	}
	// A plain errgroup.Group, not WithContext: a refusal must not cancel
	// the other request, or client-go logs its cancellation beside the one
	// line of the refusal.
	var g errgroup.Group
	g.Go(func() error { return r.client.CheckAccess(ctx, r.t.Namespace, r.t.Name, plan, needs) })
	g.Go(func() error { holder.User = r.client.WhoAmI(ctx); return nil })
	return holder, g.Wait()
}
