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

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// loadStatefulSet reads StatefulSet name and its pods, two requests, for a
// planner that plans StatefulSets; when there is none, or the user may not
// read StatefulSets, noDeployment (the error that no Deployment has the
// name) is the answer.
func (c *Client) loadStatefulSet(ctx context.Context, namespace, name string, noDeployment error) (*plans.Snapshot, error) {
	sts, pods, err := c.ObserveStatefulSet(ctx, namespace, name)
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		return nil, noDeployment
	case err != nil:
		return nil, err
	}
	return &plans.Snapshot{StatefulSet: sts, Pods: pods}, nil
}

// ObserveStatefulSet reads StatefulSet name and the pods its selector
// matches, two requests however many pods: what its built-in gates judge.
func (c *Client) ObserveStatefulSet(ctx context.Context, namespace, name string) (*appsv1.StatefulSet, []corev1.Pod, error) {
	sts, err := c.statefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	selector, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, nil, fmt.Errorf("statefulset %s: %w", name, err)
	}
	pods, err := c.pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, nil, err
	}
	return sts, pods.Items, nil
}

// statefulStatus is LoadStatus for a StatefulSet's release, when no
// Deployment has its name: the StatefulSet, its pods and the release's lock,
// three requests (four with the Deployments' list before), however many pods.
func (c *Client) statefulStatus(ctx context.Context, namespace, name string, noDeployment error) (*release.Status, error) {
	snap, err := c.loadStatefulSet(ctx, namespace, name, noDeployment)
	if err != nil {
		return nil, err
	}
	st := release.SummarizeStateful(snap.StatefulSet, snap.Pods)
	if lock, err := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{}); err == nil {
		applyLock(st, lock)
	}
	return st, nil
}

// WaitForStatefulRollout blocks until sts has rolled out as far as its
// partition lets it, printing progress as 'kubectl rollout status
// statefulset/NAME' does, watching from sts's resourceVersion; a watch
// that ends early is opened again from a fresh read.
func (c *Client) WaitForStatefulRollout(ctx context.Context, sts *appsv1.StatefulSet, progress io.Writer) error {
	last := ""
	check := func(sts *appsv1.StatefulSet) (bool, error) {
		msg, done, err := release.StatefulRolloutStatus(sts)
		if msg != last && err == nil {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		return done, err
	}
	name, statefulSets := sts.Name, c.statefulSets(sts.Namespace)
	for {
		done, err := check(sts)
		if done || err != nil {
			return err
		}
		err = c.watchFrom(ctx, sts.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
			return statefulSets.Watch(ctx, opts)
		}, func(ev watch.Event) (bool, error) {
			switch ev.Type {
			case watch.Deleted:
				return false, fmt.Errorf("statefulset %s was deleted while waiting for its rollout", name)
			case watch.Error:
				return false, apierrors.FromObject(ev.Object)
			}
			if current, ok := ev.Object.(*appsv1.StatefulSet); ok {
				return check(current)
			}
			return false, nil
		})
		if err == nil || (ctx.Err() == nil && !errWatchEnded(err)) {
			return err
		}
		for ctx.Err() == nil {
			if sts, err = statefulSets.Get(ctx, name, metav1.GetOptions{}); err == nil || apierrors.IsNotFound(err) {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return &WaitError{msg: fmt.Sprintf("timed out waiting for the rollout of statefulset %s (%s)", name, last), TimedOut: true}
		case ctx.Err() != nil:
			return &WaitError{msg: fmt.Sprintf("interrupted while waiting for the rollout of statefulset %s", name)}
		case err != nil:
			return err
		}
	}
}
