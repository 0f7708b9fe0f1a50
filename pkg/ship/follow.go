package ship

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Feed is the releases of a namespace, or of all, kept current from
// watches (kube.Follower).
type Feed interface {
	// Changed signals a change; signals coalesce.
	Changed() <-chan struct{}
	// Synced is closed once the releases were listed, or could not be.
	Synced() <-chan struct{}
	// Releases are the releases as list shows them, with their lock's
	// operation and progression; stale says why they may be out of date,
	// err why they could never be read.
	Releases() (list *release.StatusList, stale, err error)
	// Operations are the operations a release's record keeps.
	Operations(namespace, name string) []release.Operation
	// PodSelector picks the pods of the Deployments named: the labels
	// their pod templates share.
	PodSelector(namespace string, deployments []string) labels.Selector
}

// ReleaseFeed is what a release's page shows beyond its status, kept
// current from watches (kube.ReleaseFollower).
type ReleaseFeed interface {
	Changed() <-chan struct{}
	Synced() <-chan struct{}
	Pods() ([]corev1.Pod, error)
	ReplicaSets() ([]appsv1.ReplicaSet, error)
	Events() ([]corev1.Event, error)
}

// Follow follows the releases of t's namespace, or of every namespace with
// allNamespaces, until ctx ends: the requests of list once, then a watch of
// each kind. It returns t with its namespace resolved.
func (e *Engine) Follow(ctx context.Context, t Target, allNamespaces bool) (Feed, Target, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, t, err
	}
	namespace := t.Namespace
	if allNamespaces {
		namespace = ""
	}
	return client.Follow(ctx, namespace), t, nil
}

// FollowRelease follows the pods that selector picks (Feed.PodSelector),
// and the ReplicaSets and Events, of release t until ctx ends.
func (e *Engine) FollowRelease(ctx context.Context, t Target, selector labels.Selector) (ReleaseFeed, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	return client.FollowRelease(ctx, t.Namespace, t.Name, selector), nil
}
