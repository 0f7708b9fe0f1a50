package kube

import (
	"context"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Stay marks the lock as held by an operation that only stays until until
// (a delay, a hold between steps), so that another command on the release
// may ask it to give way, and watches the Lease for that request: the
// returned Staying's Preempted channel then names who asked. End the stay
// with Staying.End.
func (l *Lock) Stay(ctx context.Context, until time.Time) (*Staying, error) {
	return l.stay(ctx, until.UTC().Format(time.RFC3339), false)
}

// awaiting is what the lock's staying mark says of an Await.
const awaiting = "approval"

// Await marks the lock as staying, as Stay does, until a person's verdict
// on the pause the release's progression is recorded at arrives: the
// returned Staying's Verdict channel then gives the progression as the
// record holds it, verdict and trail included.
func (l *Lock) Await(ctx context.Context) (*Staying, error) { return l.stay(ctx, awaiting, true) }

func (l *Lock) stay(ctx context.Context, until string, await bool) (*Staying, error) {
	lease, err := l.update(ctx, func(lease *coordinationv1.Lease) { lease.Annotations[release.AnnotationStaying] = until })
	if err != nil {
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(ctx)
	s := &Staying{lock: l, preempted: make(chan string, 1), verdict: make(chan *release.Progression, 1), cancel: cancel}
	// A verdict given before the mark was written is in the Lease written.
	judged := func(lease *coordinationv1.Lease) bool {
		p := release.ParseProgression(lease.Annotations[release.AnnotationProgression])
		if !await || p.Verdict() == nil {
			return false
		}
		s.verdict <- p
		return true
	}
	if judged(lease) {
		return s, nil
	}
	leases := l.client.leases(lease.Namespace)
	go func() {
		by := ""
		_ = l.client.watchFrom(watchCtx, lease.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", lease.Name).String()
			return leases.Watch(ctx, opts)
		}, func(ev watch.Event) (bool, error) {
			next, ok := ev.Object.(*coordinationv1.Lease)
			if !ok {
				return false, nil
			}
			by = next.Annotations[release.AnnotationPreempt]
			return by != "" || judged(next), nil
		})
		if by != "" {
			s.preempted <- by
		}
	}()
	return s, nil
}

// Staying is a stay in progress.
type Staying struct {
	lock      *Lock
	preempted chan string
	verdict   chan *release.Progression
	cancel    context.CancelFunc
}

// Preempted receives who asked the stay to give way.
func (s *Staying) Preempted() <-chan string { return s.preempted }

// Verdict receives, for an Await, the progression once its pause has a
// verdict.
func (s *Staying) Verdict() <-chan *release.Progression { return s.verdict }

// End stops watching and, unless the stay gave way (its lock is then freed
// for the command that asked), marks the lock as no longer staying.
func (s *Staying) End(ctx context.Context, gaveWay bool) error {
	if gaveWay {
		s.Leave()
		return nil
	}
	return s.EndRecording(ctx, nil)
}

// Leave stops watching, and leaves the mark for the lock's release to
// clear: what follows at once (a rollback) reads the release first, and a
// consistent read right after a write waits for the API server's watch
// cache to catch up (about 100 ms).
func (s *Staying) Leave() { s.cancel() }

// EndRecording ends the stay as End does and, in the same write, records
// p (when not nil) as SaveProgression does: a progression's hold that ends costs
// one request.
func (s *Staying) EndRecording(ctx context.Context, p *release.Progression) error {
	s.cancel()
	_, err := s.lock.update(ctx, func(lease *coordinationv1.Lease) {
		delete(lease.Annotations, release.AnnotationStaying)
		if p != nil {
			lease.Annotations[release.AnnotationProgression] = withTrail(lease, p).Encode()
		}
	})
	return err
}

// SaveProgression keeps p, the progression of the release's canary, in its record.
func (l *Lock) SaveProgression(ctx context.Context, p *release.Progression) error {
	_, err := l.update(ctx, func(lease *coordinationv1.Lease) {
		lease.Annotations[release.AnnotationProgression] = withTrail(lease, p).Encode()
	})
	return err
}

// withTrail is p with the approvals the record holds of the same
// progression under way: the verdicts come from other commands (approve,
// reject), written into the Lease as it was, and the runner's writes keep them.
func withTrail(lease *coordinationv1.Lease, p *release.Progression) *release.Progression {
	old := release.ParseProgression(lease.Annotations[release.AnnotationProgression])
	if !old.Active() || !old.Same(p.Images, p.Steps) || len(old.Approvals) <= len(p.Approvals) {
		return p
	}
	kept := *p
	kept.Approvals = old.Approvals
	return &kept
}
