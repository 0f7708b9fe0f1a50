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
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		return nil, nil, noDeployment
	case err != nil:
		return nil, nil, err
	}
	selector, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, nil, fmt.Errorf("statefulset %s: %w", name, err)
	}
	list, err := c.controllerRevisions(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, nil, err
	}
	// Another workload's revisions may match the selector: keep sts's own.
	var owned []appsv1.ControllerRevision
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], sts) {
			owned = append(owned, list.Items[i])
		}
	}
	return sts, owned, nil
}
