package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StatefulHistory reads StatefulSet name and the ControllerRevisions it
// controls, its revisions as 'kubectl rollout history statefulset/NAME'
// lists them: one GET and one LIST by its selector, however many revisions.
// When there is no such StatefulSet, or the user may not read StatefulSets,
// noDeployment (the error that no Deployment has the name) is the answer.
func (c *Client) StatefulHistory(ctx context.Context, namespace, name string, noDeployment error) (*appsv1.StatefulSet, []appsv1.ControllerRevision, error) {
	sts, err := c.statefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, missingAs(err, noDeployment)
	}
	revisions, err := c.controlledRevisions(ctx, sts, sts.Spec.Selector)
	return sts, revisions, err
}

// DaemonHistory is StatefulHistory for DaemonSet name: 'kubectl rollout
// history daemonset/NAME' lists the same ControllerRevisions.
func (c *Client) DaemonHistory(ctx context.Context, namespace, name string, noDeployment error) (*appsv1.DaemonSet, []appsv1.ControllerRevision, error) {
	ds, err := c.daemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, missingAs(err, noDeployment)
	}
	revisions, err := c.controlledRevisions(ctx, ds, ds.Spec.Selector)
	return ds, revisions, err
}

// missingAs is err, or instead when err says the object is not there or
// may not be read.
func missingAs(err, instead error) error {
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) {
		return instead
	}
	return err
}

// controlledRevisions lists, by the selector of owner's pods, the
// ControllerRevisions owner controls: one request.
func (c *Client) controlledRevisions(ctx context.Context, owner metav1.Object, podSelector *metav1.LabelSelector) ([]appsv1.ControllerRevision, error) {
	selector, err := metav1.LabelSelectorAsSelector(podSelector)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", owner.GetName(), err)
	}
	list, err := c.controllerRevisions(owner.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, err
	}
	// Another workload's revisions may match the selector: keep owner's own.
	var owned []appsv1.ControllerRevision
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], owner) {
			owned = append(owned, list.Items[i])
		}
	}
	return owned, nil
}
