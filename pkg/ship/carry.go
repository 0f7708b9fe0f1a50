package ship

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// errStopped ends an operation whose stay was cut short: what it did
// stands, what was to follow the stay is left undone, and it is no failure.
var errStopped = errors.New("stopped while staying")

// carryOut runs the steps of plan in order; lock is nil on a server dry run,
// which writes with dryRun=All and neither waits nor stays.
func (r *run) carryOut(ctx context.Context, lock heldLock, plan plans.Plan, serverDryRun bool) error {
	written := map[string]*plans.Step{}
	for i, step := range plan.Steps {
		switch step.Action {
		case plans.Wait:
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
			if err := r.wait(ctx, plan, step); err != nil {
				r.waitFailed = true
				return err
			}
		case plans.Stay:
			if serverDryRun || r.stayed[step.Reason] {
				continue
			}
			fmt.Fprintf(r.o.Progress, "staying %s: %s\n", step.Duration, step.Reason)
			err := r.stay(ctx, lock, step.Duration)
			r.stayed[step.Reason] = true
			if err != nil {
				return r.stopStay(err, plan.Steps[i+1:])
			}
		case plans.Hold:
			if serverDryRun {
				continue
			}
			r.notifyStep(step.Progression)
			if err := r.hold(ctx, lock, step); err != nil {
				return err
			}
		case plans.Await:
			if serverDryRun {
				continue
			}
			if err := r.await(ctx, lock, step); err != nil {
				return err
			}
		default:
			if err := r.writeStep(ctx, step, serverDryRun, written); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeStep sends the write of step, keeps what the API server returned in
// written by object, and reports it.
func (r *run) writeStep(ctx context.Context, step plans.Step, serverDryRun bool, written map[string]*plans.Step) error {
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
	return nil
}

// rehearse sends every write of plan whose validation ship does not mirror
// (an HTTPRoute, an Ingress, any custom resource: see plans.Mirrored)
// to the API server with dryRun=All, before the plan's first real write: a
// field too long, one header match too many, an admission webhook's
// refusal stops the command with nothing changed. One request per such
// write. A conflict is left to the real write, which plans again.
func (r *run) rehearse(ctx context.Context, plan plans.Plan) error {
	for _, step := range plan.Steps {
		if !step.Writes() || step.Action == plans.Delete || plans.Mirrored(step.Object) {
			continue
		}
		if _, err := r.client.Write(ctx, step, true); err != nil && !apierrors.IsConflict(err) {
			return fmt.Errorf("%s would be refused by the API server, so nothing was changed: %w", objectKey(step.Object), err)
		}
	}
	return nil
}

// wait carries out a Wait. In a plan that holds (a progression's step, a
// verification), the built-in gate watches the pods while it waits: a
// canary that crash-loops or cannot pull its image fails at once, as it
// would in the hold, rather than at the timeout.
func (r *run) wait(ctx context.Context, plan plans.Plan, step plans.Step) error {
	judge := step
	if i := slices.IndexFunc(plan.Steps, func(s plans.Step) bool { return s.Action == plans.Hold }); i >= 0 {
		judge = plan.Steps[i]
	}
	if judge.Action != plans.Hold && judge.Progression == nil {
		return r.client.Wait(ctx, step, r.o.Timeout, r.o.Progress)
	}
	checks, err := r.checker(judge)
	if err != nil {
		return err
	}
	checks.where = "the wait for " + objectKey(step.Object)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		ticker := time.NewTicker(r.o.Gates.CheckEvery)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				res, err := checks.starting(ctx)
				if err == nil && res.Verdict == gate.Fail {
					err = &GateError{Step: "the wait for " + objectKey(step.Object), Reason: res.String()}
				}
				if err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	err = r.client.Wait(ctx, step, r.o.Timeout, r.o.Progress)
	if cause := context.Cause(ctx); err != nil && GateFailed(cause) {
		return cause
	}
	return err
}

func writesAfter(steps []plans.Step) bool {
	return plans.Plan{Steps: steps}.Writes()
}

// report records and reports one change, its object's kind set for
// printing.
func (r *run) report(step plans.Step) error {
	obj := step.Object.DeepCopyObject()
	if res, err := kube.ResourceOf(obj); err == nil {
		obj.GetObjectKind().SetGroupVersionKind(res.GroupVersionKind)
	}
	c := Change{Action: step.Action, Object: obj, Operation: step.Operation, Line: objectKey(obj) + " " + step.Operation}
	r.res.Changes = append(r.res.Changes, c)
	r.trail = append(r.trail, c.Line)
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
