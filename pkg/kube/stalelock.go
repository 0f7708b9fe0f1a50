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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

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
