package ship

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Engine carries out operations on releases, in any context of the
// kubeconfig its clients come from.
type Engine struct {
	clients *kube.Factory
}

// New returns an Engine over clients.
func New(clients *kube.Factory) *Engine {
	return &Engine{clients: clients}
}

// resolve returns the client of t's context, and t with its namespace
// filled in from that context when it names none.
func (e *Engine) resolve(t Target) (*kube.Client, Target, error) {
	client, err := e.clients.Client(t.Context)
	if err != nil {
		return nil, t, err
	}
	if t.Namespace == "" {
		t.Namespace = client.Namespace
	}
	return client, t, nil
}

// Run carries out p's operation on release t: it reads the release and
// plans, checks that the user may make every request of the plan, takes the
// release's lock, then reads and plans again under the lock and carries
// that plan out, recording the operation in the release's record. A plan
// that writes nothing takes no lock; a run that finds nothing left to do
// after the same verb already did it answers so, without an error.
func (e *Engine) Run(ctx context.Context, t Target, p strategy.Planner, o Options) (*Result, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return &Result{Target: t}, err
	}
	r := &run{client: client, t: t, p: p, o: o, res: &Result{Target: t}, noted: map[string]bool{}, stayed: map[string]bool{}}
	return r.res, r.run(ctx)
}

// run is one operation in progress.
type run struct {
	client *kube.Client
	t      Target
	p      strategy.Planner
	o      Options
	res    *Result
	writes int
	// noted are the notes already told; stayed the stays already done, so
	// that a plan made again after a conflict does not repeat them.
	noted, stayed map[string]bool
}

func (r *run) run(ctx context.Context) error {
	if r.o.DryRun == DryRunClient {
		plan, err := r.plan(ctx, r.p.Needs())
		if err != nil {
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
	serverDryRun := r.o.DryRun == DryRunServer
	var lease *coordinationv1.Lease
	if !serverDryRun {
		lease = r.client.ReadLock(ctx, r.t.Namespace, r.t.Name)
	}
	// A first plan, without the lock: a run with nothing to write, or
	// refused, or forbidden, then writes nothing at all, not even the lock.
	plan, err := r.plan(ctx, r.p.Needs())
	if err != nil || !plan.Writes() {
		if serverDryRun {
			return err
		}
		return r.nothingToWrite(ctx, lease, err)
	}
	if serverDryRun {
		return r.carryOut(ctx, nil, plan, true)
	}
	holder, err := r.check(ctx, plan)
	if err != nil {
		return err
	}
	lock, err := r.client.Lock(ctx, r.t.Namespace, r.t.Name, lease, holder, r.o.ForceUnlock)
	if err != nil {
		return err
	}
	kept, stop := lock.Keep(ctx)
	err = r.underLock(kept, lock)
	if cause := context.Cause(kept); err != nil && ctx.Err() == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the lock was lost
	}
	// Cut short by the caller for a reason (a signal, a fleet's health
	// gate): the record says why.
	if cause := context.Cause(ctx); err != nil && ctx.Err() != nil && cause != nil && cause != ctx.Err() {
		err = fmt.Errorf("%w: %v", err, cause)
	}
	stop()
	// The command's context may be cancelled (Ctrl-C): the lock is freed
	// all the same, so the next run need not wait.
	unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	op := release.Operation{Time: metav1.Now(), Verb: r.p.Verb(), Command: r.o.Command, User: holder.User, Changes: r.lines(), Fleet: r.o.Fleet}
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

// plan reads the release and plans, telling the plan's notes once.
func (r *run) plan(ctx context.Context, needs strategy.Needs) (strategy.Plan, error) {
	snap, err := r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Service, needs)
	if err != nil {
		return strategy.Plan{}, err
	}
	plan, err := r.p.Plan(snap)
	if err != nil {
		return strategy.Plan{}, err
	}
	if err := strategy.Validate(plan); err != nil {
		return strategy.Plan{}, err
	}
	for _, note := range plan.Notes {
		if !r.noted[note] {
			fmt.Fprintln(r.o.Progress, note)
			r.noted[note] = true
		}
	}
	return plan, nil
}

// nothingToWrite ends a run whose plan writes nothing, or was refused: a
// lock its holder left behind is freed, and a refusal for lack of anything
// to do after the same verb did it is the answer "already done".
func (r *run) nothingToWrite(ctx context.Context, lease *coordinationv1.Lease, planErr error) error {
	last, err := r.client.FreeStaleLock(ctx, lease, r.t.Name, r.o.Command)
	var nothingLeft *strategy.NothingLeftError
	if errors.As(planErr, &nothingLeft) && last.Verb == r.p.Verb() && (last.Interrupted || last.Error == "") {
		r.res.AlreadyDone = true
		if last.Interrupted {
			fmt.Fprintf(r.o.Progress, "release %s: the interrupted '%s' had made its last change; nothing left to do\n", r.t.Name, last.Command)
		} else {
			fmt.Fprintf(r.o.Progress, "release %s: already done by '%s' at %s; nothing left to do\n", r.t.Name, last.Command, last.Time.Format(time.DateTime))
		}
		return err
	}
	if planErr != nil {
		return planErr
	}
	return err
}

// check makes sure, before the first write, that the user may make every
// request of the plan and of its recovery, and learns who the user is, for
// the record: two requests, at once.
func (r *run) check(ctx context.Context, plan strategy.Plan) (kube.Holder, error) {
	holder := kube.Holder{Command: r.o.Command, Verb: r.p.Verb()}
	needs := r.p.Needs()
	if _, ok := r.p.(strategy.Recoverer); ok {
		needs.Revisions = true
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return r.client.CheckAccess(gctx, r.t.Namespace, r.t.Name, plan, needs) })
	g.Go(func() error { holder.User = r.client.WhoAmI(gctx); return nil })
	return holder, g.Wait()
}

// underLock plans from a fresh read under the lock and carries the plan
// out. When another writer changed an object in between (a conflict), it
// plans again from a fresh read: the plan derives from what is there, so the
// steps already done are not repeated and nobody's change is overwritten.
// A planner that can recover from a failed wait then does.
func (r *run) underLock(ctx context.Context, lock *kube.Lock) error {
	err := retry.OnError(retry.DefaultRetry, apierrors.IsConflict, func() error {
		plan, err := r.plan(ctx, r.p.Needs())
		if err != nil {
			return err
		}
		return r.carryOut(ctx, lock, plan, false)
	})
	var waitErr *kube.WaitError
	recoverer, ok := r.p.(strategy.Recoverer)
	if !ok || !errors.As(err, &waitErr) || ctx.Err() != nil && !waitErr.TimedOut {
		return err
	}
	return r.recover(ctx, lock, recoverer, strategy.Failure{Err: err, TimedOut: waitErr.TimedOut})
}

// recover plans and carries out the planner's way back from failure, still
// under the lock, and says what it did.
func (r *run) recover(ctx context.Context, lock *kube.Lock, p strategy.Recoverer, failure strategy.Failure) error {
	needs := r.p.Needs()
	needs.Revisions = true
	snap, err := r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Service, needs)
	if err != nil {
		return fmt.Errorf("%w; could not read the release to undo it: %v", failure.Err, err)
	}
	plan, err := p.Recover(snap, failure)
	if err == nil {
		err = strategy.Validate(plan)
	}
	if err == nil && len(plan.Steps) == 0 {
		return failure.Err
	}
	before := len(r.res.Changes)
	if err == nil {
		err = r.carryOut(ctx, lock, plan, false)
	}
	if err != nil {
		return fmt.Errorf("%w; could not undo it: %v", failure.Err, err)
	}
	return &UndoneError{Err: failure.Err, Undone: r.lines()[before:]}
}

// UndoneError is a failure that the operation then undid.
type UndoneError struct {
	Err    error
	Undone []string
}

func (e *UndoneError) Error() string {
	return fmt.Sprintf("%v; undone: %v", e.Err, joinLines(e.Undone))
}

func (e *UndoneError) Unwrap() error { return e.Err }

// errStopped ends an operation whose stay was cut short: what it did
// stands, what was to follow the stay is left undone, and it is no failure.
var errStopped = errors.New("stopped while staying")

// carryOut runs the steps of plan in order; lock is nil on a server dry run,
// which writes with dryRun=All and neither waits nor stays.
func (r *run) carryOut(ctx context.Context, lock *kube.Lock, plan strategy.Plan, serverDryRun bool) error {
	written := map[string]*strategy.Step{}
	for i, step := range plan.Steps {
		switch step.Action {
		case strategy.Wait:
			// Without --wait only the waits that later writes depend on
			// are kept: blue's pods relabelled before the Services select
			// them by it.
			if serverDryRun || !r.o.Wait && !writesAfter(plan.Steps[i+1:]) {
				continue
			}
			// Wait from the object as this run last wrote it, so the watch
			// starts at that resourceVersion.
			if last, ok := written[objectKey(step.Object)]; ok {
				step.Object = last.Object
			}
			if err := r.client.Wait(ctx, step, r.o.Timeout, r.o.Progress); err != nil {
				return err
			}
		case strategy.Stay:
			if serverDryRun || r.stayed[step.Reason] {
				continue
			}
			fmt.Fprintf(r.o.Progress, "staying %s: %s\n", step.Duration, step.Reason)
			err := lock.Stay(ctx, step.Duration)
			r.stayed[step.Reason] = true
			if err != nil {
				return r.stopStay(err, plan.Steps[i+1:])
			}
		default:
			result, err := r.client.Write(ctx, step, serverDryRun)
			if err != nil {
				return err
			}
			step.Object = result
			written[objectKey(result)] = &step
			if err := r.report(step); err != nil {
				return err
			}
			if r.writes++; r.writes == r.o.CrashAfterWrite {
				if self, err := os.FindProcess(os.Getpid()); err == nil {
					_ = self.Kill() // SIGKILL: no deferred cleanup runs
				}
			}
		}
	}
	return nil
}

func writesAfter(steps []strategy.Step) bool {
	return strategy.Plan{Steps: steps}.Writes()
}

// stopStay says what a stay cut short by Ctrl-C or another command leaves
// undone.
func (r *run) stopStay(err error, rest []strategy.Step) error {
	var preempted *kube.PreemptedError
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

// report records and reports one change, its object's kind set for
// printing.
func (r *run) report(step strategy.Step) error {
	obj := step.Object.DeepCopyObject()
	if res, err := kube.ResourceOf(obj); err == nil {
		obj.GetObjectKind().SetGroupVersionKind(res.GroupVersionKind)
	}
	c := Change{Action: step.Action, Object: obj, Operation: step.Operation, Line: objectKey(obj) + " " + step.Operation}
	r.res.Changes = append(r.res.Changes, c)
	if r.o.Report == nil {
		return nil
	}
	return r.o.Report.Report(c)
}

// lines are the result lines of the changes made, for the record.
func (r *run) lines() []string {
	out := make([]string, len(r.res.Changes))
	for i, c := range r.res.Changes {
		out[i] = c.Line
	}
	return out
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return "nothing"
	}
	return strings.Join(lines, ", ")
}

// objectKey names an object as kubectl does: "deployment.apps/web".
func objectKey(obj runtime.Object) string {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	res, err := kube.ResourceOf(obj)
	if err != nil {
		return accessor.GetName()
	}
	return res.String() + "/" + accessor.GetName()
}

// NewEngine returns an Engine over the clusters of kubectl's connection
// flags; the API server's warnings are printed to warnings, as kubectl does.
func NewEngine(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Engine {
	return New(kube.NewFactory(flags, warnings))
}

// CutShort reports whether err is an operation cut short while it waited:
// by its timeout, Ctrl-C, or a pause of what it waited for. Its writes
// stand, and running it again continues from them.
func CutShort(err error) bool {
	var waitErr *kube.WaitError
	return errors.As(err, &waitErr)
}
