package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadStatuses reads every release of the namespace, or of all namespaces,
// in four list requests (Deployments, Services, EndpointSlices, and the
// pods' metadata) whatever their number, and one more per kind of route
// the releases run through: never a request per release or per pod.
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
	routes, err := c.listRoutes(ctx, namespace, services.Items)
	if err != nil {
		return nil, err
	}
	return release.SummarizeAll(deployments.Items, services.Items, slices.Items, pods, selector, routes), nil
}

// listRoutes reads the routes releases run through, as the Services ship
// made for them record: one more list request per kind of route, none when
// no release runs through a route.
func (c *Client) listRoutes(ctx context.Context, namespace string, services []corev1.Service) (*release.ListedRoutes, error) {
	kinds := map[string]bool{}
	for i := range services {
		if ref, err := release.ParseRouteRef(services[i].Annotations[release.AnnotationRoute]); err == nil && services[i].Labels[release.LabelRelease] != "" {
			kinds[ref.Kind] = true
		}
	}
	routes := &release.ListedRoutes{}
	var err error
	if kinds[release.KindHTTPRoute] {
		if routes.HTTPRoutes, err = c.httpRoutes(ctx, namespace); apierrors.IsNotFound(err) {
			err = nil
		}
	}
	if kinds[release.KindIngress] && err == nil {
		var list *networkingv1.IngressList
		if list, err = c.ingresses(namespace).List(ctx, metav1.ListOptions{}); err == nil {
			routes.Ingresses = list.Items
		}
	}
	return routes, err
}
