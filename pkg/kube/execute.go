package kube

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Executor carries out plans against the API server.
type Executor struct {
	Client *Client
	// Report receives the result of every write, for printing.
	Report func(step strategy.Step, result runtime.Object) error
	// Progress receives rollout progress while a step waits.
	Progress io.Writer
	// CrashAfterStep, when positive, kills the process right after that many
	// writes: a testing aid that proves every step boundary is safe.
	CrashAfterStep int
	// Lock, when set, takes the release's lock before the first write and
	// returns how to release it, with the result lines of the writes done
	// and the error that stopped them, if any.
	Lock func(context.Context) (unlock func(ctx context.Context, changes []string, err error) error, err error)
	// FreeStale, when set, frees a lock left by a process that is gone; it
	// runs when a plan has nothing left to write.
	FreeStale func(context.Context) error
	// AlsoNeeds are requests the command may make once the plan is carried
	// out (set image's rollback), checked with the plan's own.
	AlsoNeeds []Access

	// changes are the result lines of the writes done, for the record.
	changes []string
}

// Converge reads and plans with plan, then carries the plan out. When another
// writer changed an object in between (a conflict), it starts over from a
// fresh read: every plan is derived from what is there, so nobody's change is
// overwritten and the steps already done are not repeated.
// A plan that writes runs under the release's lock, taken once, after a
// check that the user may make every request of the plan.
func (e *Executor) Converge(ctx context.Context, plan func(context.Context) (strategy.Plan, error)) (err error) {
	var unlock func(context.Context, []string, error) error
	defer func() {
		if unlock == nil {
			return
		}
		// The command's context may be cancelled (Ctrl-C, --timeout): the
		// lock is released all the same, so the next run need not wait.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if unlockErr := unlock(ctx, e.changes, err); err == nil {
			err = unlockErr
		}
	}()
	return retry.OnError(retry.DefaultRetry, apierrors.IsConflict, func() error {
		p, err := plan(ctx)
		if err != nil {
			// A lock left by a process that is gone must not outlive a run
			// refused at planning (a recovery that is not needed any more).
			if e.FreeStale != nil {
				_ = e.FreeStale(ctx)
			}
			return err
		}
		if !p.Writes() && e.FreeStale != nil {
			if err := e.FreeStale(ctx); err != nil {
				return err
			}
		}
		if p.Writes() && unlock == nil && e.Lock != nil {
			if err := e.Client.CheckAccess(ctx, p, e.AlsoNeeds...); err != nil {
				return err
			}
			if unlock, err = e.Lock(ctx); err != nil {
				return err
			}
		}
		return e.Run(ctx, p)
	})
}

// Run carries out the steps of p in order.
func (e *Executor) Run(ctx context.Context, p strategy.Plan) error {
	written := map[string]runtime.Object{}
	writes := 0
	for _, step := range p.Steps {
		if step.Action == strategy.Wait {
			if e.Client.ServerDryRun {
				continue
			}
			if err := e.wait(ctx, step.Object, written); err != nil {
				return err
			}
			continue
		}
		result, err := e.Client.write(ctx, step)
		if err != nil {
			return err
		}
		written[key(result)] = result
		e.changes = append(e.changes, describe(result, step.Operation))
		if err := e.Report(step, result); err != nil {
			return err
		}
		if writes++; writes == e.CrashAfterStep {
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				_ = self.Kill() // SIGKILL: no deferred cleanup runs
			}
		}
	}
	return nil
}

// wait blocks until the object of a wait step settles: a Deployment's
// rollout, or a switched Service's endpoints. It starts from the object as
// this run last wrote it, so the watch begins at that resourceVersion.
func (e *Executor) wait(ctx context.Context, obj runtime.Object, written map[string]runtime.Object) error {
	if latest, ok := written[key(obj)]; ok {
		obj = latest
	}
	switch obj := obj.(type) {
	case *appsv1.Deployment:
		return e.Client.WaitForRollout(ctx, obj, e.Progress)
	case *corev1.Service:
		return e.Client.WaitForEndpoints(ctx, obj, e.Progress)
	}
	return fmt.Errorf("cannot wait for a %T", obj)
}

// describe is a write's result line as kubectl prints it:
// "deployment.apps/web-canary created".
func describe(obj runtime.Object, operation string) string {
	kind := "service"
	if _, ok := obj.(*appsv1.Deployment); ok {
		kind = "deployment.apps"
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return operation
	}
	return kind + "/" + accessor.GetName() + " " + operation
}

func key(obj runtime.Object) string {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%T/%s", obj, accessor.GetName())
}

// write carries out one create, patch or delete under ship's field manager.
func (c *Client) write(ctx context.Context, step strategy.Step) (runtime.Object, error) {
	var dryRun []string
	if c.ServerDryRun {
		dryRun = []string{metav1.DryRunAll}
	}
	switch obj := step.Object.(type) {
	case *appsv1.Deployment:
		return writeObject(ctx, c.deployments(obj.Namespace), "deployment", obj, step, dryRun)
	case *corev1.Service:
		return writeObject(ctx, c.services(obj.Namespace), "service", obj, step, dryRun)
	}
	return nil, fmt.Errorf("cannot write a %T", step.Object)
}

// typedAPI is the part of a client-go typed client that plans use.
type typedAPI[T runtime.Object] interface {
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (T, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

func writeObject[T interface {
	runtime.Object
	metav1.Object
}](ctx context.Context, api typedAPI[T], kind string, obj T, step strategy.Step, dryRun []string) (runtime.Object, error) {
	switch step.Action {
	case strategy.Create:
		created, err := api.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager, DryRun: dryRun})
		if apierrors.IsAlreadyExists(err) {
			// Ship found no object of its own by that name when it planned.
			return nil, fmt.Errorf("%s %s already exists and was not created by kubectl-ship for this release: rename or delete it",
				kind, obj.GetName())
		}
		return created, err
	case strategy.Patch:
		return api.Patch(ctx, obj.GetName(), types.StrategicMergePatchType, step.Patch,
			metav1.PatchOptions{FieldManager: FieldManager, DryRun: dryRun})
	case strategy.Delete:
		// The UID precondition makes sure a newer object of the same name,
		// created since the plan was made, is not the one deleted.
		err := api.Delete(ctx, obj.GetName(), metav1.DeleteOptions{
			DryRun:            dryRun,
			Preconditions:     &metav1.Preconditions{UID: ptr.To(obj.GetUID())},
			PropagationPolicy: ptr.To(metav1.DeletePropagationBackground),
		})
		if apierrors.IsNotFound(err) {
			err = nil
		}
		return obj, err
	}
	return nil, fmt.Errorf("unknown action %q", step.Action)
}
