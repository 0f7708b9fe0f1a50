package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Wait blocks until the object of a wait step meets its condition,
// printing progress, for at most the step's own deadline or else timeout (0:
// no bound).
func (c *Client) Wait(ctx context.Context, step plans.Step, timeout time.Duration, progress io.Writer) error {
	if step.Duration > 0 {
		timeout = step.Duration
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	switch obj := step.Object.(type) {
	case *appsv1.Deployment:
		switch step.Until {
		case plans.RolledOut:
			return c.WaitForRollout(ctx, obj, progress)
		case plans.Observed:
			return c.WaitForObserved(ctx, obj)
		}
	case *appsv1.StatefulSet:
		if step.Until == plans.RolledOut {
			return c.WaitForStatefulRollout(ctx, obj, progress)
		}
	case *appsv1.DaemonSet:
		switch step.Until {
		case plans.RolledOut:
			return c.WaitForDaemonRollout(ctx, obj, progress)
		case plans.NodesReady:
			return c.WaitForNodesReady(ctx, obj, progress)
		}
	case *corev1.Service:
		switch step.Until {
		case plans.EndpointsSelected:
			return c.WaitForEndpoints(ctx, obj, progress)
		case plans.EndpointsReady:
			return c.WaitForReadyEndpoints(ctx, obj, progress)
		}
	}
	return fmt.Errorf("cannot wait for %s of a %T", step.Until, step.Object)
}

// WaitForRollout blocks until every replica of d runs its current template
// and is available, printing progress as kubectl rollout status does. It
// watches from d's resourceVersion (no polling). A watch that ends early, as
// when the API server restarts and its watch history is gone, is opened
// again from a fresh read, until ctx ends. A Deployment paused before its
// rollout is done stops the wait at once: it would not progress.
func (c *Client) WaitForRollout(ctx context.Context, d *appsv1.Deployment, progress io.Writer) error {
	last := ""
	check := func(d *appsv1.Deployment) (bool, error) {
		msg, done, err := release.RolloutStatus(d)
		if msg != last && err == nil {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		if err == nil && !done && d.Spec.Paused {
			return false, &WaitError{msg: fmt.Sprintf("deployment %s was paused before its rollout finished: resume it with 'kubectl rollout resume deployment/%s'", d.Name, d.Name)}
		}
		return done, err
	}
	name := d.Name
	for {
		done, err := check(d)
		if done || err != nil {
			return err
		}
		err = c.watchRollout(ctx, d, check)
		if err == nil || (ctx.Err() == nil && !errWatchEnded(err)) {
			return err
		}
		if ctx.Err() == nil {
			// Read again, once the API server answers, and watch from there.
			d, err = c.getWhenReachable(ctx, d.Namespace, name)
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return &WaitError{msg: fmt.Sprintf("timed out waiting for the rollout of deployment %s (%s)", name, last), TimedOut: true}
		case ctx.Err() != nil:
			return &WaitError{msg: fmt.Sprintf("interrupted while waiting for the rollout of deployment %s", name)}
		case err != nil:
			return err
		}
	}
}

// getWhenReachable reads Deployment name, trying again each second while the
// API server cannot answer.
func (c *Client) getWhenReachable(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	for {
		d, err := c.deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		switch {
		case err == nil:
			return d, nil
		case apierrors.IsNotFound(err):
			return nil, fmt.Errorf("deployment %s was deleted while waiting for its rollout", name)
		case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// watchRollout follows d by watch until check says done or fails.
func (c *Client) watchRollout(ctx context.Context, d *appsv1.Deployment, check func(*appsv1.Deployment) (bool, error)) error {
	deployments := c.deployments(d.Namespace)
	return c.watchFrom(ctx, d.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", d.Name).String()
		return deployments.Watch(ctx, opts)
	}, func(ev watch.Event) (bool, error) {
		switch ev.Type {
		case watch.Deleted:
			return false, fmt.Errorf("deployment %s was deleted while waiting for its rollout", d.Name)
		case watch.Error:
			return false, apierrors.FromObject(ev.Object)
		case watch.Added, watch.Modified:
			if current, ok := ev.Object.(*appsv1.Deployment); ok {
				return check(current)
			}
		}
		return false, nil
	})
}

// watchFrom follows a watch from resourceVersion until condition is met,
// resuming it when the connection drops. Not an informer: the caller has
// already listed, and the informer's cache would add 0.3 MB to the binary.
func (c *Client) watchFrom(ctx context.Context, resourceVersion string, watchFunc cache.WatchFuncWithContext, condition watchtools.ConditionFunc) error {
	watcher, err := watchtools.NewRetryWatcherWithContext(ctx, resourceVersion, &cache.ListWatch{WatchFuncWithContext: watchFunc})
	if err != nil {
		return err
	}
	defer watcher.Stop()
	_, err = watchtools.UntilWithoutRetry(ctx, watcher, condition)
	return err
}

// errWatchEnded reports whether a watch ended without an answer: closed, or
// its resourceVersion too old to resume from.
func errWatchEnded(err error) bool {
	return errors.Is(err, watchtools.ErrWatchClosed) || apierrors.IsGone(err) || apierrors.IsResourceExpired(err)
}

// WaitError is a wait cut short: by --timeout, Ctrl-C, or a pause of what
// it waited for. The writes before it stand, and running the command again
// continues from them.
type WaitError struct {
	msg string
	// TimedOut is set when the wait ran out of time.
	TimedOut bool
}

func (e *WaitError) Error() string { return e.msg }
