package ship

import (
	"context"
	"fmt"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// preflight checks, before the first write of a plan that holds, that the
// analyses can be evaluated at all: a query Prometheus rejects or a
// Prometheus that does not answer is the user's to fix before anything
// starts.
func (r *run) preflight(ctx context.Context, plan plans.Plan) error {
	return r.eachHold(plan, func(_ plans.Step, c *checker) error {
		for _, g := range c.gates {
			if p, ok := g.(gate.Preflighter); ok {
				if err := p.Preflight(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// describeGates says, for a client dry run, what each hold of plan would
// check: the built-in gate, the analyses with their queries as rendered for
// the release, the webhooks.
func (r *run) describeGates(plan plans.Plan) error {
	return r.eachHold(plan, func(step plans.Step, c *checker) error {
		fmt.Fprintf(r.o.Progress, "%s: every %s, gate %s (built in)", step.Reason, r.o.Gates.CheckEvery, gate.PodsGate)
		for _, g := range c.gates {
			if a, ok := g.(*gate.AnalysisGate); ok {
				fmt.Fprintf(r.o.Progress, ", gate %q (query %s)", g.Name(), a.Query())
			} else {
				fmt.Fprintf(r.o.Progress, ", gate %s", g.Name())
			}
		}
		fmt.Fprintln(r.o.Progress)
		return nil
	})
}

// eachHold calls fn with each hold of plan and its checker.
func (r *run) eachHold(plan plans.Plan, fn func(plans.Step, *checker) error) error {
	for _, step := range plan.Steps {
		if step.Action != plans.Hold {
			continue
		}
		c, err := r.checker(step)
		if err == nil {
			err = fn(step, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
