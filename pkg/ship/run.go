package ship

import (
	"context"
	"errors"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// newRun is p's operation on release t, in client's cluster, not started;
// context names the kubeconfig's current context.
func newRun(client cluster, t Target, p plans.Planner, o Options, context func() string) *run {
	return &run{client: client, t: t, p: p, o: o, res: &Result{Target: t}, noted: map[string]bool{}, stayed: map[string]bool{}, context: context}
}

// run is one operation in progress.
type run struct {
	client cluster
	t      Target
	p      plans.Planner
	o      Options
	res    *Result
	writes int
	// waitFailed is set when a wait of the plan failed: what a Recoverer
	// recovers from, as a gate's failure.
	waitFailed bool
	// snap is the release as last read; progression its record's
	// progression, routeRecord the way back of a route it keeps, as last
	// read or written.
	snap        *plans.Snapshot
	progression *release.Progression
	routeRecord *release.RouteRecord
	// tracker counts the failed checks of the run's holds, and the runs of
	// inconclusive results, across them.
	tracker *gate.Tracker
	// holder is who holds the release's lock for the run: who ends a
	// progression, for its record.
	holder kube.Holder
	// context names the kubeconfig's current context, for the webhooks
	// of a target that names none.
	context func() string
	// trail is what the release's record keeps of the run: each change's
	// result line and each step of a progression held, in order.
	trail []string
	// noted are the notes already told; stayed the stays already done, so
	// that a plan made again after a conflict does not repeat them.
	noted, stayed map[string]bool
	// resolved is set once Options.Resolve made the run's planner.
	resolved bool
	// user is who runs it, as the API server authenticated them; started
	// is set once its start was told.
	user    string
	started bool
	// shown is the progression events describe; ended is set once the
	// end of the release was told.
	shown *release.Progression
	ended bool
}

// execute carries the operation out: a client-side dry run only tells its
// plan, a server-side one sends its writes with dryRun; a real run attempts
// it up to three times, planning again when another operation moved the
// lock between its read and its taking of the lock.
func (r *run) execute(ctx context.Context) error {
	if r.o.DryRun == DryRunClient {
		plan, err := r.firstPlan(ctx)
		if err != nil {
			return err
		}
		r.tell(plan)
		if err := r.describeGates(plan); err != nil {
			return err
		}
		for _, step := range plan.Steps {
			if step.Writes() {
				if err := r.report(step); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if r.o.DryRun == DryRunServer {
		plan, err := r.firstPlan(ctx)
		if err != nil {
			return err
		}
		r.tell(plan)
		return r.carryOut(ctx, nil, plan, true)
	}
	// Another operation that takes the lock between this run's read and
	// its own taking of the lock makes the plan stale: plan again.
	for attempt := 1; ; attempt++ {
		err := r.attempt(ctx)
		if !errors.Is(err, kube.ErrLockMoved) || attempt == 3 {
			return err
		}
	}
}

// attempt reads the release's lock, then the release, and plans. A plan
// that writes is carried out under the lock, taken from the Lease exactly as
// read before the plan: any operation that started or ended since changed
// the Lease, so the lock is refused (ErrLockMoved) and the plan, made from a
// state that may have changed, is never carried out. A run with nothing to
// write, or refused, or forbidden, writes nothing, not even the lock.
func (r *run) attempt(ctx context.Context) error {
	lease := r.client.ReadLock(ctx, r.t.Namespace, r.t.Name)
	if lease != nil {
		r.progression = release.ParseProgression(lease.Annotations[release.AnnotationProgression])
		r.routeRecord = release.ParseRouteRecord(lease.Annotations[release.AnnotationRouteRecord])
	}
	plan, err := r.firstPlan(ctx)
	if err != nil {
		return r.nothingToWrite(ctx, lease, err)
	}
	if plan.Writes() {
		if lease != nil {
			if err := release.RecordError(lease.Annotations[release.AnnotationHistory]); err != nil {
				plan.Notes = append(plan.Notes, fmt.Sprintf("warning: the record of release %s (lease %s) cannot be read (%s): kubectl-ship keeps it as it is, in annotation %s, and starts a new record beside it",
					r.t.Name, lease.Name, release.EscapeTerminal(err.Error()), release.AnnotationUnreadableHistory))
			}
		}
		holder, err := r.check(ctx, plan)
		if err == nil {
			err = r.preflight(ctx, plan)
		}
		if err == nil {
			err = r.rehearse(ctx, plan)
		}
		if err != nil {
			return err
		}
		r.tell(plan)
		r.showPlan(plan)
		holder.Route = plan.Route
		return r.locked(ctx, lease, holder, func(ctx context.Context, lock heldLock) error { return r.underLock(ctx, lock, plan) })
	}
	if err := r.nothingToWrite(ctx, lease, nil); err != nil {
		return err
	}
	r.tell(plan)
	// A plan that only waits (for a rollout started earlier) holds no lock;
	// if its wait fails, the recovery takes it.
	err = r.carryOut(ctx, nil, plan, false)
	if err == nil && plan.Continue && len(plan.Steps) > 0 {
		// The wait was the first segment of a longer operation (a rerun
		// after a kill, while a StatefulSet's new revision came up): the
		// next is planned from a fresh read, as under the lock.
		return r.attempt(ctx)
	}
	failure, recoverer, ok := r.recoverable(ctx, err)
	if !ok {
		return err
	}
	holder, err := r.check(ctx, plans.Plan{})
	if err != nil {
		return err
	}
	lease = r.client.ReadLock(ctx, r.t.Namespace, r.t.Name)
	return r.locked(ctx, lease, holder, func(ctx context.Context, lock heldLock) error {
		return r.recover(ctx, lock, recoverer, failure)
	})
}

// locked takes the release's lock from the Lease as read, runs fn holding
// it (renewed while fn runs), then frees it with the operation recorded.
func (r *run) locked(ctx context.Context, lease *coordinationv1.Lease, holder kube.Holder, fn func(context.Context, heldLock) error) error {
	lock, err := r.client.Lock(ctx, r.t.Namespace, r.t.Name, lease, holder, r.o.ForceUnlock, r.o.Progress)
	if err != nil {
		return err
	}
	r.holder = holder
	kept, stop := lock.Keep(ctx)
	r.user = holder.User
	r.notifyStart()
	err = fn(kept, lock)
	if cause := context.Cause(kept); err != nil && ctx.Err() == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the lock was lost
	}
	// Cut short by the caller for a reason (a signal, a fleet's health
	// gate): the record says why.
	if cause := context.Cause(ctx); err != nil && ctx.Err() != nil && cause != nil && cause != ctx.Err() {
		err = fmt.Errorf("%w: %v", err, cause)
	}
	stop()
	if errors.Is(err, errLeftAwaiting) {
		err = nil
	}
	r.notifyEnd(ctx, err)
	// The command's context may be cancelled (Ctrl-C): the lock is freed
	// all the same, so the next run need not wait.
	unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	op := release.Operation{Time: metav1.Now(), Verb: r.p.Verb(), Command: r.o.Command, User: holder.User, From: kube.LocalAccount(),
		Changes: r.trail, Fleet: r.o.Fleet, Warnings: r.undelivered()}
	if err != nil {
		op.Error = err.Error()
	}
	if errors.Is(err, errStopped) {
		err = nil
	}
	if unlockErr := lock.Release(unlockCtx, op); err == nil {
		err = unlockErr
	}
	return err
}

// nothingToWrite ends a run whose plan writes nothing, or was refused: a
// lock its holder left behind is freed, and a refusal for lack of anything
// to do after the same verb did it is the answer "already done".
func (r *run) nothingToWrite(ctx context.Context, lease *coordinationv1.Lease, planErr error) error {
	last, err := r.client.FreeStaleLock(ctx, lease, r.t.Name, r.o.Command)
	var nothingLeft *plans.NothingLeftError
	if errors.As(planErr, &nothingLeft) && last.Verb == r.p.Verb() && (last.Interrupted || last.Error == "") {
		r.res.AlreadyDone = true
		// The record is the cluster's to write: escaped for the terminal.
		command := release.EscapeTerminal(last.Command)
		if last.Interrupted {
			fmt.Fprintf(r.o.Progress, "release %s: the interrupted '%s' had made its last change; nothing left to do\n", r.t.Name, command)
		} else {
			fmt.Fprintf(r.o.Progress, "release %s: already done by '%s' at %s; nothing left to do\n", r.t.Name, command, last.Time.Format(time.DateTime))
		}
		return err
	}
	if planErr != nil {
		return planErr
	}
	return err
}

// CutShort reports whether err is an operation cut short while it waited
// or held: by its timeout, Ctrl-C, or a pause of what it waited for. Its writes
// stand, and running it again continues from them.
func CutShort(err error) bool {
	var waitErr *kube.WaitError
	var interrupted *interruptedError
	return errors.As(err, &waitErr) || errors.As(err, &interrupted)
}
