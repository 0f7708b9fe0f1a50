package kube

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Lock takes the lock of a release before its first write. The lock is a
// Lease named kubectl-ship-NAME, held while its holder is set, which also
// keeps the release's record of operations. It is taken with optimistic
// concurrency when free, expired, held by a process of this machine that no
// longer runs (killed, or its shell died), or when force is set; otherwise
// another operation is in progress and Lock says which.
func (c *Client) Lock(ctx context.Context, name, command string, ttl time.Duration, force bool) (*Lock, error) {
	leases := c.leases(c.Namespace)
	current, err := leases.Get(ctx, release.LockName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		current, err = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{
			Name:   release.LockName(name),
			Labels: map[string]string{release.LabelRelease: name},
		}}, nil
	}
	if err != nil {
		return nil, err
	}
	if held(current) && !force && !expired(current) && !deadLocalHolder(current) {
		return nil, fmt.Errorf("release %s is busy: %s; wait for it to finish, or if its process died on another machine pass --force-unlock (two operations at once can undo each other's changes)",
			name, DescribeLock(current))
	}
	next := current.DeepCopy()
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[release.AnnotationOperation] = command
	now := metav1.NowMicro()
	next.Spec = coordinationv1.LeaseSpec{
		HolderIdentity:       ptr.To(holderIdentity()),
		LeaseDurationSeconds: ptr.To(int32(ttl.Seconds())),
		AcquireTime:          &now,
		RenewTime:            &now,
	}
	var taken *coordinationv1.Lease
	if next.ResourceVersion == "" {
		taken, err = leases.Create(ctx, next, metav1.CreateOptions{FieldManager: FieldManager})
	} else {
		taken, err = leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: FieldManager})
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("release %s is busy: another operation took its lock at the same moment", name)
	}
	if err != nil {
		return nil, err
	}
	return &Lock{client: c, release: name, lease: taken}, nil
}

// Lock is a release's lock, held.
type Lock struct {
	client  *Client
	release string
	lease   *coordinationv1.Lease
}

// Release frees the lock and records op in the release's history, and as an
// Event on its Deployment for kubectl describe. A lock taken over meanwhile
// (--force-unlock) is not ours to free: its new holder records its own.
func (l *Lock) Release(ctx context.Context, op release.Operation) error {
	next := l.lease.DeepCopy()
	record, err := release.AppendOperation(next.Annotations[release.AnnotationHistory], op)
	if err != nil {
		return err
	}
	next.Annotations[release.AnnotationHistory] = record
	delete(next.Annotations, release.AnnotationOperation)
	next.Spec.HolderIdentity, next.Spec.AcquireTime = nil, nil
	_, err = l.client.leases(l.client.Namespace).Update(ctx, next, metav1.UpdateOptions{FieldManager: FieldManager})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	l.client.recordEvent(ctx, l.release, op)
	return nil
}

// FreeStaleLock frees the lock of a release whose holder is gone (expired,
// or a process of this machine that died), recording which command freed
// it. A run with nothing left to write, or refused at planning, calls it: no
// lock should then still say that an operation is in progress. One GET; a
// write only when there is such a lock. It returns the release's last
// operation, the interrupted one if it freed one, which tells a command
// refused for lack of anything to do that it was already done.
func (c *Client) FreeStaleLock(ctx context.Context, name, command string) (release.Operation, error) {
	current, err := c.leases(c.Namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if err != nil {
		return release.Operation{}, nil // no lock, or none we may read: nothing to free
	}
	if stale := held(current) && (expired(current) || deadLocalHolder(current)); !stale {
		last, _ := release.LastOperation(current.Annotations[release.AnnotationHistory])
		return last, nil
	}
	interrupted := release.Operation{
		Time:        metav1.Now(),
		Command:     current.Annotations[release.AnnotationOperation],
		Error:       "interrupted (" + ptr.Deref(current.Spec.HolderIdentity, "?") + " is gone); its lock freed by " + command,
		Interrupted: true,
	}
	lock := &Lock{client: c, release: name, lease: current}
	return interrupted, lock.Release(ctx, interrupted)
}

// DescribeLock says what holds a lock: "promote by alice@laptop (pid 4242)
// since 12:00:01, until 12:06:01". The operation and the holder are escaped
// for the terminal: anyone who may update the Lease can write them.
func DescribeLock(l *coordinationv1.Lease) string {
	since, until := "?", "?"
	if l.Spec.AcquireTime != nil {
		since = l.Spec.AcquireTime.Format(time.TimeOnly)
	}
	if l.Spec.RenewTime != nil && l.Spec.LeaseDurationSeconds != nil {
		until = l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second).Format(time.TimeOnly)
	}
	return fmt.Sprintf("%s by %s since %s, until %s", release.EscapeTerminal(l.Annotations[release.AnnotationOperation]),
		release.EscapeTerminal(ptr.Deref(l.Spec.HolderIdentity, "?")), since, until)
}

func held(l *coordinationv1.Lease) bool {
	return ptr.Deref(l.Spec.HolderIdentity, "") != ""
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
	return err == nil && pid != os.Getpid() && !processRuns(pid)
}
