package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
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
// identity the API server authenticated.
type Holder struct {
	Command, Verb, User string
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
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[release.AnnotationOperation] = h.Command
	next.Annotations[release.AnnotationVerb] = h.Verb
	next.Annotations[release.AnnotationUser] = h.User
	delete(next.Annotations, release.AnnotationStaying)
	delete(next.Annotations, release.AnnotationPreempt)
	now := metav1.NowMicro()
	next.Spec = coordinationv1.LeaseSpec{
		HolderIdentity:       ptr.To(holderIdentity()),
		LeaseDurationSeconds: ptr.To(int32(lockTTL.Seconds())),
		AcquireTime:          &now,
		RenewTime:            &now,
	}
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
}

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
		if ptr.Deref(fresh.Spec.HolderIdentity, "") != ptr.Deref(l.lease.Spec.HolderIdentity, "") ||
			!fresh.Spec.AcquireTime.Equal(l.lease.Spec.AcquireTime) {
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
	if ptr.Deref(fresh.Spec.HolderIdentity, "") != ptr.Deref(mine.Spec.HolderIdentity, "") || !fresh.Spec.AcquireTime.Equal(mine.Spec.AcquireTime) {
		return errLockLost(l.release, fresh)
	}
	return nil
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
			return // an unreadable record stays as it is; the lock is freed all the same
		}
		for _, k := range []string{release.AnnotationOperation, release.AnnotationVerb, release.AnnotationUser,
			release.AnnotationStaying, release.AnnotationPreempt} {
			delete(lease.Annotations, k)
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
	record, err := release.AppendOperation(lease.Annotations[release.AnnotationHistory], op)
	if err != nil {
		return err
	}
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[release.AnnotationHistory] = record
	return nil
}

// interrupted is the operation whose stale lock a command found.
func interrupted(l *coordinationv1.Lease, by string) release.Operation {
	return release.Operation{
		Time:        metav1.Now(),
		Verb:        l.Annotations[release.AnnotationVerb],
		Command:     l.Annotations[release.AnnotationOperation],
		User:        l.Annotations[release.AnnotationUser],
		Error:       "interrupted (" + ptr.Deref(l.Spec.HolderIdentity, "?") + " is gone); its lock freed by " + by,
		Interrupted: true,
	}
}

// FreeStaleLock frees the lock of release name, as read, when its holder is
// gone, recording the interrupted operation: a command that has nothing to
// write leaves no lock saying that an operation is in progress. It returns
// the release's last operation, the interrupted one if there was one: what
// tells a command that found nothing to do that it was already done.
func (c *Client) FreeStaleLock(ctx context.Context, current *coordinationv1.Lease, name, by string) (release.Operation, error) {
	if current == nil {
		return release.Operation{}, nil
	}
	if !held(current) || !stale(current) {
		last, _ := release.LastOperation(current.Annotations[release.AnnotationHistory])
		return last, nil
	}
	op := interrupted(current, by)
	lock := &Lock{client: c, release: name, lease: current}
	return op, lock.Release(ctx, op)
}

// describeLock says what holds a lock: "promote by alice@laptop (pid 4242)
// since 12:00:01, until 12:06:01". The operation and the holder are escaped
// for the terminal: anyone who may update the Lease can write them.
func describeLock(l *coordinationv1.Lease) string {
	since, until := "?", "?"
	if l.Spec.AcquireTime != nil {
		since = l.Spec.AcquireTime.Format(time.TimeOnly)
	}
	if l.Spec.RenewTime != nil && l.Spec.LeaseDurationSeconds != nil {
		until = l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second).Format(time.TimeOnly)
	}
	who := release.EscapeTerminal(ptr.Deref(l.Spec.HolderIdentity, "?"))
	if u := l.Annotations[release.AnnotationUser]; u != "" {
		who = release.EscapeTerminal(u) + ", " + who
	}
	return fmt.Sprintf("%s by %s since %s, until %s", release.EscapeTerminal(l.Annotations[release.AnnotationOperation]), who, since, until)
}

func held(l *coordinationv1.Lease) bool {
	return ptr.Deref(l.Spec.HolderIdentity, "") != ""
}

// stale reports whether a held lock's holder is gone.
func stale(l *coordinationv1.Lease) bool {
	return expired(l) || deadLocalHolder(l)
}

func expired(l *coordinationv1.Lease) bool {
	return l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil || time.Now().After(expiry(l))
}

// expiry is when a held lock expires unless renewed.
func expiry(l *coordinationv1.Lease) time.Time {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return time.Time{}
	}
	return l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second)
}

// holderIdentity is "user@host (pid N)": enough for a person to find the
// process, and for a later run on the same host to tell that it died.
func holderIdentity() string {
	return fmt.Sprintf("%s (pid %d)", LocalAccount(), os.Getpid())
}

// LocalAccount is the account and host a command runs from, "user@host":
// what the record keeps beside the Kubernetes identity.
func LocalAccount() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
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
