package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// RollbackAccess is what rolling a Deployment back needs beyond rolling it
// forward: RolloutHistory lists its ReplicaSets to find the previous
// revision (the rollback itself is a patch, as the rollout was).
var RollbackAccess = []Access{{Verb: "list", Group: "apps", Resource: "replicasets"}}

// RolloutHistory reads Deployment name and the ReplicaSets it controls, its
// revisions as 'kubectl rollout history' shows them: one GET and one LIST by
// the Deployment's selector, whatever the number of pods.
func (c *Client) RolloutHistory(ctx context.Context, name string) (*appsv1.Deployment, []appsv1.ReplicaSet, error) {
	d, err := c.deployments(c.Namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil, release.NotRelease("deployment %s not found in namespace %s", name, c.Namespace)
	}
	if err != nil {
		return nil, nil, err
	}
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, nil, fmt.Errorf("deployment %s: %w", name, err)
	}
	list, err := c.replicaSets(c.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, nil, err
	}
	// The selector may also match other Deployments' ReplicaSets (a canary's,
	// when the stable selector has no label of its own): keep d's own.
	var owned []appsv1.ReplicaSet
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], d) {
			owned = append(owned, list.Items[i])
		}
	}
	return d, owned, nil
}

// Record reads the release's record of operations from its lock ("" when
// ship never ran an operation on it).
func (c *Client) Record(ctx context.Context, name string) (string, error) {
	lease, err := c.leases(c.Namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return lease.Annotations[release.AnnotationHistory], nil
}
