package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadStatuses reads every release of the namespace, or of all namespaces,
// in four list requests (Deployments, Services, EndpointSlices, and the
// pods' metadata) whatever their number: never a request per release or
// per pod.
// namespace "" is every namespace.
func (c *Client) LoadStatuses(ctx context.Context, namespace string, selector labels.Selector) (*release.StatusList, error) {
	deployments, err := c.deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	services, err := c.services(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	slices, err := c.endpointSlices(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	pods, err := c.podMetadata(ctx, namespace, "")
	if err != nil {
		return nil, err
	}
	return release.SummarizeAll(deployments.Items, services.Items, slices.Items, pods, selector), nil
}
