package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// lockTTL is how long a lock outlives its last renewal: a process that died
// on another machine holds its release that long. A live one renews its
// lock every third of it.
const lockTTL = time.Minute

// Holder is who takes a lock: the command (as the record keeps it) and the
// identity the API server authenticated; and Route, the way back of the
// route its plan changes, which the release's record keeps from then on.
type Holder struct {
	Command, Verb, User string
	Route               *release.RouteRecord
}

// ReadLock reads the Lease that is release name's lock and record; nil when
// there is none, or none the user may read.
func (c *Client) ReadLock(ctx context.Context, namespace, name string) *coordinationv1.Lease {
	lease, err := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return lease
}

// ErrLockMoved is a lock taken by another operation between the read of
// the lock and the taking of it: the release may have changed since.
var ErrLockMoved = errors.New("another operation took the release's lock since it was read")

// BusyError is a lock held by another operation that is alive.
type BusyError struct{ msg string }

func (e *BusyError) Error() string { return e.msg }

// Lock takes the lock of release name, from the Lease as read (nil when
// there was none): when it is free, when its holder is gone (expired, or a
// process of this machine that no longer runs), with force, or when its
// holder stays and gives way (see Lock.Stay). The Lease is written with
// optimistic concurrency, so of two commands at once only one takes it.
func (c *Client) Lock(ctx context.Context, namespace, name string, current *coordinationv1.Lease, h Holder, force bool, progress io.Writer) (*Lock, error) {
	if current == nil {
		current = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: release.LockName(name), Namespace: namespace}}
		current.Labels, _ = release.OwnedBy(name, "")
	}
	next, gaveWay := current.DeepCopy(), false
	switch {
	case !held(current) || force:
	case stale(current):
		// The holder is gone: its operation stays in the record as
		// interrupted, as the next command found it.
		if err := appendRecord(next, interrupted(current, h.Command)); err != nil {
			return nil, err
		}
	case current.Annotations[release.AnnotationStaying] != "":
		taken, err := c.preempt(ctx, namespace, name, current, h, progress)
		if err != nil {
			return nil, err
		}
		next, gaveWay = taken.DeepCopy(), true
		if held(taken) {
			// Its holder stopped answering and renewing (a stopped
			// process): recorded as interrupted, as a stale lock is.
			if err := appendRecord(next, interrupted(taken, h.Command)); err != nil {
				return nil, err
			}
		}
	default:
		return nil, &BusyError{fmt.Sprintf("release %s is busy: %s; wait for it to finish, or if its process died on another machine pass --force-unlock (two operations at once can undo each other's changes)",
			name, describeLock(current))}
	}
	holdBy(next, h)
	leases := c.leases(namespace)
	var taken *coordinationv1.Lease
	var err error
	if next.ResourceVersion == "" {
		taken, err = leases.Create(ctx, next, metav1.CreateOptions{FieldManager: fieldManager})
	} else {
		taken, err = leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: fieldManager})
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("release %s is busy: %w", name, ErrLockMoved)
	}
	if err != nil {
		return nil, err
	}
	return &Lock{client: c, release: name, lease: taken, gaveWay: gaveWay}, nil
}

// holdBy makes lease say that h holds it from now on, for lockTTL unless
// renewed: no longer staying nor asked to give way.
func holdBy(lease *coordinationv1.Lease, h Holder) {
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[release.AnnotationOperation] = h.Command
	lease.Annotations[release.AnnotationVerb] = h.Verb
	lease.Annotations[release.AnnotationUser] = h.User
	if h.Route != nil {
		lease.Annotations[release.AnnotationRouteRecord] = h.Route.Encode()
	}
	delete(lease.Annotations, release.AnnotationStaying)
	delete(lease.Annotations, release.AnnotationPreempt)
	now := metav1.NowMicro()
	lease.Spec = coordinationv1.LeaseSpec{
		HolderIdentity:       ptr.To(holderIdentity()),
		LeaseDurationSeconds: ptr.To(int32(lockTTL.Seconds())),
		AcquireTime:          &now,
		RenewTime:            &now,
	}
}
