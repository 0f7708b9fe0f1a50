package kube

import (
	"context"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// ReleaseFollower keeps what a release's own page shows beyond its status
// current from watches: its pods, whole (readiness, restarts, revision), the
// ReplicaSets they belong to (revisions and change causes), and the Events
// of its objects. Three lists and three watches, however many read it.
type ReleaseFollower struct {
	changed                   chan struct{}
	synced                    chan struct{}
	pods, replicaSets, events *mirror
}

// FollowRelease starts following release name of namespace until ctx ends:
// the pods and ReplicaSets selector picks (the labels every pod of the
// release carries), and the namespace's Events about objects named after
// the release.
func (c *Client) FollowRelease(ctx context.Context, namespace, name string, selector labels.Selector) *ReleaseFollower {
	bySelector := func(o metav1.ListOptions) metav1.ListOptions {
		o.LabelSelector = selector.String()
		return o
	}
	f := &ReleaseFollower{
		changed: make(chan struct{}, 1),
		synced:  make(chan struct{}),
		pods: newMirror(source{
			list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return c.pods(namespace).List(ctx, bySelector(o))
			},
			watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return c.pods(namespace).Watch(ctx, bySelector(o))
			},
		}, nil),
		replicaSets: newMirror(source{
			list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return c.replicaSets(namespace).List(ctx, bySelector(o))
			},
			watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return c.replicaSets(namespace).Watch(ctx, bySelector(o))
			},
		}, nil),
		// Events cannot be selected by several objects at once: those of
		// the release's objects are named after it (its Deployments, their
		// ReplicaSets and pods); the page picks its own among them.
		events: newMirror(source{
			list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return c.events(namespace).List(ctx, o)
			},
			watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return c.events(namespace).Watch(ctx, o)
			},
		}, func(o metav1.Object) bool {
			involved := o.(*corev1.Event).InvolvedObject.Name
			return involved == name || strings.HasPrefix(involved, name+"-")
		}),
	}
	signal := func() {
		select {
		case f.changed <- struct{}{}:
		default:
		}
	}
	followed := []*mirror{f.events}
	// A selector that picks nothing would be sent as none, picking all.
	if selector.String() != "" {
		followed = append(followed, f.pods, f.replicaSets)
	}
	var first sync.WaitGroup
	for _, m := range followed {
		first.Add(1)
		go m.follow(ctx, signal, first.Done, nil)
	}
	go func() { first.Wait(); close(f.synced) }()
	return f
}

// Changed signals a change; signals coalesce.
func (f *ReleaseFollower) Changed() <-chan struct{} { return f.changed }

// Synced is closed once everything was listed, or could not be.
func (f *ReleaseFollower) Synced() <-chan struct{} { return f.synced }

// Pods are the release's pods; err says why they could not be read.
func (f *ReleaseFollower) Pods() ([]corev1.Pod, error) {
	items, _, err := f.pods.state()
	return values[corev1.Pod](items), err
}

// ReplicaSets are the ReplicaSets of the release's Deployments.
func (f *ReleaseFollower) ReplicaSets() ([]appsv1.ReplicaSet, error) {
	items, _, err := f.replicaSets.state()
	return values[appsv1.ReplicaSet](items), err
}

// Events are the Events about objects named after the release.
func (f *ReleaseFollower) Events() ([]corev1.Event, error) {
	items, _, err := f.events.state()
	return values[corev1.Event](items), err
}
