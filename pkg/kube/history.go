package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// RolloutHistory reads Deployment name and the ReplicaSets it controls, its
// revisions as 'kubectl rollout history' shows them: one GET and one LIST by
// the Deployment's selector, whatever the number of pods.
func (c *Client) RolloutHistory(ctx context.Context, namespace, name string) (*appsv1.Deployment, []appsv1.ReplicaSet, error) {
	d, err := c.Deployment(ctx, namespace, name)
	if err != nil {
		return nil, nil, err
	}
	replicaSets, err := c.replicaSetsOf(ctx, d)
	return d, replicaSets, err
}

// Deployment reads Deployment name: one GET.
func (c *Client) Deployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	d, err := c.deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, release.NoDeployment(name, namespace)
	}
	return d, err
}

// replicaSetsOf lists the ReplicaSets d controls, by its selector.
func (c *Client) replicaSetsOf(ctx context.Context, d *appsv1.Deployment) ([]appsv1.ReplicaSet, error) {
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s: %w", d.Name, err)
	}
	list, err := c.replicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, err
	}
	// The selector may also match other Deployments' ReplicaSets (a canary's,
	// when the stable selector has no label of its own): keep d's own.
	var owned []appsv1.ReplicaSet
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], d) {
			owned = append(owned, list.Items[i])
		}
	}
	return owned, nil
}

// ReadLockAnnotations reads the annotations of the release's lock, which keep its record
// of operations (none when ship never ran an operation on it).
func (c *Client) ReadLockAnnotations(ctx context.Context, namespace, name string) (map[string]string, error) {
	lease, err := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return lease.Annotations, nil
}

// ReadHistoryAndHolder reads, in one GET of the release's lock, its record and
// the command that holds the lock ("" when it is free): what a fleet run
// reads of every cluster before its first write, to know where it stands.
func (c *Client) ReadHistoryAndHolder(ctx context.Context, namespace, name string) (record, holder string, err error) {
	lease, err := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if held(lease) {
		holder = lease.Annotations[release.AnnotationOperation]
	}
	return lease.Annotations[release.AnnotationHistory], holder, nil
}
