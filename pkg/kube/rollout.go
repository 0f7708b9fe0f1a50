package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// workloadObject is a typed workload: a StatefulSet, a DaemonSet.
type workloadObject interface {
	runtime.Object
	metav1.Object
}

// workloadClient is what followRollout reads and watches of one kind of
// workload.
type workloadClient[T workloadObject] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// followRollout blocks until status says obj (a workload of kind, read
// through client) is done, printing each new message of status as
// 'kubectl rollout status' does, watching from obj's resourceVersion; a
// watch that ends early is opened again from a fresh read.
func followRollout[T workloadObject](ctx context.Context, c *Client, client workloadClient[T], kind string, obj T, status func(T) (string, bool, error), progress io.Writer) error {
	last := ""
	check := func(obj T) (bool, error) {
		msg, done, err := status(obj)
		if msg != last && err == nil {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		return done, err
	}
	name := obj.GetName()
	for {
		done, err := check(obj)
		if done || err != nil {
			return err
		}
		err = c.watchFrom(ctx, obj.GetResourceVersion(), func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
			return client.Watch(ctx, opts)
		}, func(ev watch.Event) (bool, error) {
			switch ev.Type {
			case watch.Deleted:
				return false, fmt.Errorf("%s %s was deleted while waiting for its rollout", kind, name)
			case watch.Error:
				return false, apierrors.FromObject(ev.Object)
			}
			if current, ok := ev.Object.(T); ok {
				return check(current)
			}
			return false, nil
		})
		if err == nil || (ctx.Err() == nil && !errWatchEnded(err)) {
			return err
		}
		for ctx.Err() == nil {
			if obj, err = client.Get(ctx, name, metav1.GetOptions{}); err == nil || apierrors.IsNotFound(err) {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return &WaitError{msg: fmt.Sprintf("timed out waiting for the rollout of %s %s (%s)", kind, name, last), TimedOut: true}
		case ctx.Err() != nil:
			return &WaitError{msg: fmt.Sprintf("interrupted while waiting for the rollout of %s %s", kind, name)}
		case err != nil:
			return err
		}
	}
}
