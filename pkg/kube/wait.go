package kube

import (
	"context"
	"errors"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// WaitForRollout blocks until every replica of d runs its current template
// and is available, printing progress as kubectl rollout status does. It
// watches from d's resourceVersion (no polling), re-establishing the watch if
// the connection drops.
func (c *Client) WaitForRollout(ctx context.Context, d *appsv1.Deployment, progress io.Writer) error {
	last := ""
	check := func(d *appsv1.Deployment) (bool, error) {
		msg, done, err := release.RolloutStatus(d)
		if msg != last && err == nil {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		return done, err
	}
	if done, err := check(d); done || err != nil {
		return err
	}
	deployments := c.AppsV1().Deployments(d.Namespace)
	lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", d.Name).String()
		return deployments.Watch(ctx, opts)
	}}
	watcher, err := watchtools.NewRetryWatcherWithContext(ctx, d.ResourceVersion, lw)
	if err != nil {
		return err
	}
	defer watcher.Stop()
	_, err = watchtools.UntilWithoutRetry(ctx, watcher, func(ev watch.Event) (bool, error) {
		switch ev.Type {
		case watch.Deleted:
			return false, fmt.Errorf("deployment %s was deleted while waiting for its rollout", d.Name)
		case watch.Added, watch.Modified:
			if current, ok := ev.Object.(*appsv1.Deployment); ok {
				return check(current)
			}
		}
		return false, nil
	})
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &WaitError{fmt.Sprintf("timed out waiting for the rollout of deployment %s (%s)", d.Name, last)}
	case ctx.Err() != nil:
		return &WaitError{fmt.Sprintf("interrupted while waiting for the rollout of deployment %s", d.Name)}
	}
	return err
}

// WaitError is a wait cut short by --timeout or Ctrl-C. The writes before it
// stand, and running the command again continues from them.
type WaitError struct{ msg string }

func (e *WaitError) Error() string { return e.msg }
