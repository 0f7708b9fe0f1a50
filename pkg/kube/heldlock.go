package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Lock is a release's lock, held. It is renewed while held (Keep), gives
// way to another command while its operation only stays (Stay), and is
// freed with the operation recorded (Release).
type Lock struct {
	client  *Client
	release string
	// gaveWay is set when another command's stay gave the lock way.
	gaveWay bool

	mu    sync.Mutex
	lease *coordinationv1.Lease
	// forgetRoute drops the route's record when the lock is freed: the
	// operation put the route back.
	forgetRoute bool
}

// KeepRoute makes the release's record keep rec, the way back of the route
// a plan made under the lock changes: one more write only when the record
// does not hold it yet (a lock taken before the plan was made again).
func (l *Lock) KeepRoute(ctx context.Context, rec *release.RouteRecord) error {
	if rec == nil {
		return nil
	}
	l.mu.Lock()
	same := l.lease.Annotations[release.AnnotationRouteRecord] == rec.Encode()
	l.mu.Unlock()
	if same {
		return nil
	}
	_, err := l.update(ctx, func(lease *coordinationv1.Lease) {
		if lease.Annotations == nil {
			lease.Annotations = map[string]string{}
		}
		lease.Annotations[release.AnnotationRouteRecord] = rec.Encode()
	})
	l.forgetRoute = false
	return err
}

// ForgetRoute makes the release's record forget the route's way back when
// the lock is freed: the operation put the route back.
func (l *Lock) ForgetRoute() { l.forgetRoute = true }

// GaveWay reports whether the lock was taken after another command that
// held it gave way (it stayed): what was read before may have changed.
func (l *Lock) GaveWay() bool { return l.gaveWay }

// update writes the lock changed by change, from the latest Lease: once
// more from a fresh read when another command wrote it in between (asking
// it to stop). It fails when the lock is no longer this one's.
func (l *Lock) update(ctx context.Context, change func(*coordinationv1.Lease)) (*coordinationv1.Lease, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	leases := l.client.leases(l.lease.Namespace)
	for range 3 {
		next := l.lease.DeepCopy()
		change(next)
		written, err := leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: fieldManager})
		if err == nil {
			l.lease = written
			return written, nil
		}
		if !apierrors.IsConflict(err) {
			return nil, err
		}
		fresh, err := leases.Get(ctx, l.lease.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if !sameHolding(fresh, l.lease) {
			return nil, errLockLost(l.release, fresh)
		}
		l.lease = fresh
	}
	return nil, fmt.Errorf("release %s: its lock keeps changing", l.release)
}

// Check reads the lock and fails when it is no longer this one's: a
// command that was stopped (SIGSTOP, a suspended laptop) while another took
// the lock over must not act on what it saw before.
func (l *Lock) Check(ctx context.Context) error {
	l.mu.Lock()
	mine := l.lease
	l.mu.Unlock()
	fresh, err := l.client.leases(mine.Namespace).Get(ctx, mine.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if !sameHolding(fresh, mine) {
		return errLockLost(l.release, fresh)
	}
	return nil
}

// sameHolding says whether a and b are the same holding of a lock: the same
// holder, who took it at the same time.
func sameHolding(a, b *coordinationv1.Lease) bool {
	return ptr.Deref(a.Spec.HolderIdentity, "") == ptr.Deref(b.Spec.HolderIdentity, "") && a.Spec.AcquireTime.Equal(b.Spec.AcquireTime)
}

func errLockLost(name string, now *coordinationv1.Lease) error {
	return fmt.Errorf("release %s: its lock was taken by %s (--force-unlock); stopped so that two operations do not act at once",
		name, describeLock(now))
}

// Keep renews the lock every third of its TTL until ctx ends, so a long
// operation keeps it; the context it returns ends when the lock is lost.
func (l *Lock) Keep(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		tick := time.NewTicker(lockTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			_, err := l.update(ctx, func(lease *coordinationv1.Lease) { lease.Spec.RenewTime = ptr.To(metav1.NowMicro()) })
			if err != nil && ctx.Err() == nil {
				cancel(err)
				return
			}
		}
	}()
	return ctx, func() { cancel(nil) }
}

// Release frees the lock and records op in the release's history, and as an
// Event on its Deployment for kubectl describe. A lock taken over meanwhile
// (--force-unlock) is not ours to free: its new holder records its own.
func (l *Lock) Release(ctx context.Context, op release.Operation) error {
	_, err := l.update(ctx, func(lease *coordinationv1.Lease) {
		if appendRecord(lease, op) != nil {
			return // the operation could not be encoded; the lock is freed all the same
		}
		for _, k := range []string{release.AnnotationOperation, release.AnnotationVerb, release.AnnotationUser,
			release.AnnotationStaying, release.AnnotationPreempt} {
			delete(lease.Annotations, k)
		}
		if l.forgetRoute {
			delete(lease.Annotations, release.AnnotationRouteRecord)
		}
		lease.Spec.HolderIdentity, lease.Spec.AcquireTime = nil, nil
	})
	if err != nil {
		return err
	}
	l.client.recordEvent(ctx, l.lease.Namespace, l.release, op)
	return nil
}

func appendRecord(lease *coordinationv1.Lease, op release.Operation) error {
	record, kept, err := release.AppendOperation(lease.Annotations[release.AnnotationHistory], op)
	if err != nil {
		return err
	}
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	if kept != "" {
		// Never written over: the record that could not be read stays
		// beside the new one (history names it).
		release.KeepUnreadable(lease.Annotations, kept)
	}
	lease.Annotations[release.AnnotationHistory] = record
	return nil
}
