package ship

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// underLock carries plan out under the lock: as it is when the lock was
// taken from the Lease read before planning, else (after another command
// gave way) from a fresh read. When another writer changed an object the
// plan writes (a conflict), it plans again from a fresh read: the plan
// derives from what is there, so the steps already done are not repeated
// and nobody's change is overwritten. A planner that can recover from a
// failed wait or gate, or from the next step of a progression it had to
// refuse, then does.
func (r *run) underLock(ctx context.Context, lock heldLock, plan plans.Plan) error {
	fresh, segments := !lock.GaveWay(), 0
	err := retry.OnError(retry.DefaultRetry, apierrors.IsConflict, func() error {
		for {
			if !fresh {
				var err error
				if segments == 0 {
					plan, err = r.firstPlan(ctx)
				} else {
					plan, err = r.plan(ctx, r.p.Needs())
				}
				if err != nil {
					return err
				}
				if err := r.rehearse(ctx, plan); err != nil {
					return err
				}
				r.tell(plan)
			}
			fresh = false
			if err := lock.KeepRoute(ctx, plan.Route); err != nil {
				return err
			}
			if plan.Route != nil {
				r.routeRecord = plan.Route
			}
			if err := r.carryOut(ctx, lock, plan, false); err != nil {
				return err
			}
			if plan.RouteRestored {
				r.forgetRoute(lock)
			}
			if plan.Progression != nil {
				if err := r.saveProgression(ctx, lock, plan.Progression); err != nil {
					return err
				}
				r.notifyRecorded(plan.Progression)
			}
			// A segment of a longer operation (a progression's step) is
			// followed by the next, planned from a fresh read.
			if !plan.Continue {
				return nil
			}
			segments++
		}
	})
	failure, recoverer, ok := r.recoverable(ctx, err)
	if !ok {
		return err
	}
	return r.recover(ctx, lock, recoverer, failure)
}

// forgetRoute makes the release's record forget the way back of the route
// the run put back, when the lock is freed, and plans from then on without
// it.
func (r *run) forgetRoute(lock heldLock) {
	lock.ForgetRoute()
	r.routeRecord = nil
}
