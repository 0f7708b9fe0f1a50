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
	lease, err := l.update(ctx, func(lease *coordinationv1.Lease) {
		lease.Annotations[release.AnnotationStaying] = until.UTC().Format(time.RFC3339)
	})
	if err != nil {
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(ctx)
	s := &Staying{lock: l, preempted: make(chan string, 1), cancel: cancel}
	leases := l.client.leases(lease.Namespace)
	go func() {
		by := ""
		_ = l.client.watchFrom(watchCtx, lease.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", lease.Name).String()
			return leases.Watch(ctx, opts)
		}, func(ev watch.Event) (bool, error) {
			if next, ok := ev.Object.(*coordinationv1.Lease); ok {
				by = next.Annotations[release.AnnotationPreempt]
			}
			return by != "", nil
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
	cancel    context.CancelFunc
}

// Preempted receives who asked the stay to give way.
func (s *Staying) Preempted() <-chan string { return s.preempted }

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
// p (when not nil) as Record does: a progression's hold that ends costs
// one request.
func (s *Staying) EndRecording(ctx context.Context, p *release.Progression) error {
	s.cancel()
	_, err := s.lock.update(ctx, func(lease *coordinationv1.Lease) {
		delete(lease.Annotations, release.AnnotationStaying)
		if p != nil {
			lease.Annotations[release.AnnotationProgression] = p.Encode()
		}
	})
	return err
}

// Record keeps p, the progression of the release's canary, in its record.
func (l *Lock) Record(ctx context.Context, p *release.Progression) error {
	_, err := l.update(ctx, func(lease *coordinationv1.Lease) { lease.Annotations[release.AnnotationProgression] = p.Encode() })
	return err
}
