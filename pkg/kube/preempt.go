package kube

import (
	"context"
	"fmt"
	"io"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// preempt asks the holder of current, which only stays (a delay, a hold
// between steps), to give the lock way, and waits until it has. A live
// holder watches its lock while it stays and answers at once. One that
// neither answers nor renews its lock since it was asked (a stopped
// process, a hung machine) is waited for until its lock expires, and the
// lock, stale, is returned held: the command then takes it. One that
// renews it but does not answer is given up on, and the request taken
// back, so that it does not stop later for a command that did nothing.
func (c *Client) preempt(ctx context.Context, namespace, name string, current *coordinationv1.Lease, h Holder, progress io.Writer) (*coordinationv1.Lease, error) {
	asked := current.DeepCopy()
	asked.Annotations[release.AnnotationPreempt] = h.Command + " (" + h.User + ")"
	leases := c.leases(namespace)
	lease, err := leases.Update(ctx, asked, metav1.UpdateOptions{FieldManager: fieldManager})
	if apierrors.IsConflict(err) {
		return nil, &BusyError{fmt.Sprintf("release %s is busy: its lock changed while asking %s to stop; try again", name, describeLock(current))}
	}
	if err != nil {
		return nil, err
	}
	renewed, deadline, said := lease.Spec.RenewTime, time.Now().Add(preemptWait), false
	for held(lease) && !stale(lease) {
		if time.Now().After(deadline) {
			if !lease.Spec.RenewTime.Equal(renewed) {
				c.withdraw(context.WithoutCancel(ctx), lease, asked.Annotations[release.AnnotationPreempt])
				return nil, &BusyError{fmt.Sprintf("release %s is busy: %s did not stop when asked, though it renews its lock: it may be stuck; stop its process, or pass --force-unlock (two operations at once can undo each other's changes)", name, describeLock(lease))}
			}
			if !said {
				fmt.Fprintf(progress, "waiting for %s: it does not answer, nor renew its lock since it was asked to stop (a stopped process?); its lock expires at %s\n",
					describeLock(lease), expiry(lease).Format(time.TimeOnly))
				said = true
			}
		}
		select {
		case <-ctx.Done():
			c.withdraw(context.WithoutCancel(ctx), lease, asked.Annotations[release.AnnotationPreempt])
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if lease, err = leases.Get(ctx, release.LockName(name), metav1.GetOptions{}); err != nil {
			return nil, err
		}
	}
	return lease, nil
}

// withdraw takes back a request to give way, as by, when it still stands:
// best effort, so that the holder goes on as if never asked.
func (c *Client) withdraw(ctx context.Context, lease *coordinationv1.Lease, by string) {
	leases := c.leases(lease.Namespace)
	for range 3 {
		if lease.Annotations[release.AnnotationPreempt] != by {
			return
		}
		next := lease.DeepCopy()
		delete(next.Annotations, release.AnnotationPreempt)
		_, err := leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: fieldManager})
		if !apierrors.IsConflict(err) {
			return
		}
		if lease, err = leases.Get(ctx, lease.Name, metav1.GetOptions{}); err != nil {
			return
		}
	}
}

// preemptWait is how long a command waits for a staying holder to stop.
const preemptWait = 15 * time.Second
