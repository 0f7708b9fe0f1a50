package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Lock takes the lock of a release before its first write: a Lease named
// kubectl-ship-NAME that records the operation, who runs it, and until when
// the lock holds. It is created, or taken over with optimistic concurrency
// when it expired, when its holder was a process of this machine that no
// longer runs (killed, or its machine's shell died), or when force is set.
// Otherwise another operation is in progress and Lock says which. unlock
// deletes the Lease.
func (c *Client) Lock(ctx context.Context, name, operation string, ttl time.Duration, force bool) (unlock func(context.Context) error, err error) {
	leases := c.coordination.Leases(c.Namespace)
	now := metav1.NowMicro()
	want := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{
			Name:        release.LockName(name),
			Labels:      map[string]string{release.LabelRelease: name},
			Annotations: map[string]string{release.AnnotationOperation: operation},
		},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity:       ptr.To(holderIdentity()),
			LeaseDurationSeconds: ptr.To(int32(ttl.Seconds())),
			AcquireTime:          &now,
			RenewTime:            &now,
		},
	}
	held, err := leases.Create(ctx, want, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		held, err = c.takeOver(ctx, want, force)
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		err := leases.Delete(ctx, held.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &held.UID}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil // gone, or taken over with --force-unlock: not ours to delete
		}
		return err
	}, nil
}

func (c *Client) takeOver(ctx context.Context, want *coordinationv1.Lease, force bool) (*coordinationv1.Lease, error) {
	leases := c.coordination.Leases(c.Namespace)
	current, err := leases.Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if !force && !expired(current) && !deadLocalHolder(current) {
		return nil, fmt.Errorf("release %s is busy: %s; wait for it to finish, or if its process died on another machine pass --force-unlock (two operations at once can undo each other's changes)",
			want.Labels[release.LabelRelease], DescribeLock(current))
	}
	next := current.DeepCopy()
	next.Annotations = want.Annotations
	next.Spec = want.Spec
	taken, err := leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: FieldManager})
	if apierrors.IsConflict(err) {
		return nil, fmt.Errorf("release %s is busy: another operation took its lock at the same moment", want.Labels[release.LabelRelease])
	}
	return taken, err
}

// DescribeLock says what holds a lock: "promote by alice@laptop (pid 4242)
// since 12:00:01, until 12:06:01".
func DescribeLock(l *coordinationv1.Lease) string {
	since, until := "?", "?"
	if l.Spec.AcquireTime != nil {
		since = l.Spec.AcquireTime.Format(time.TimeOnly)
	}
	if l.Spec.RenewTime != nil && l.Spec.LeaseDurationSeconds != nil {
		until = l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second).Format(time.TimeOnly)
	}
	return fmt.Sprintf("%s by %s since %s, until %s", l.Annotations[release.AnnotationOperation], ptr.Deref(l.Spec.HolderIdentity, "?"), since, until)
}

func expired(l *coordinationv1.Lease) bool {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return true
	}
	return time.Since(l.Spec.RenewTime.Time) > time.Duration(*l.Spec.LeaseDurationSeconds)*time.Second
}

// holderIdentity is "user@host (pid N)": enough for a person to find the
// process, and for a later run on the same host to tell that it died.
func holderIdentity() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s (pid %d)", name, host, os.Getpid())
}

// deadLocalHolder reports whether the lock's holder was a process of this
// host that no longer runs.
func deadLocalHolder(l *coordinationv1.Lease) bool {
	id := ptr.Deref(l.Spec.HolderIdentity, "")
	at, pidPart, ok := strings.Cut(id, " (pid ")
	host, _ := os.Hostname()
	if !ok || !strings.HasSuffix(at, "@"+host) {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(pidPart, ")"))
	if err != nil || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
