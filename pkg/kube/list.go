package kube

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadStatuses reads every release of the namespace, or of all namespaces,
// in six list requests (Deployments, Services, EndpointSlices, the pods'
// metadata, StatefulSets and DaemonSets) whatever their number, and one more per kind of route
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
	routes, err := c.listRoutes(ctx, namespace, services.Items, deployments.Items)
	if err != nil {
		return nil, err
	}
	list := release.SummarizeAll(deployments.Items, services.Items, slices.Items, pods, selector, routes)
	// Best effort: a user who may not list StatefulSets or DaemonSets sees
	// the other releases.
	if statefulSets, err := c.statefulSets(namespace).List(ctx, metav1.ListOptions{}); err == nil {
		release.AddStatefulSets(list, statefulSets.Items, services.Items, routes, selector)
	} else if !apierrors.IsForbidden(err) {
		return nil, err
	}
	if daemonSets, err := c.daemonSets(namespace).List(ctx, metav1.ListOptions{}); err == nil {
		release.AddDaemonSets(list, daemonSets.Items, selector)
	} else if !apierrors.IsForbidden(err) {
		return nil, err
	}
	return list, nil
}

// listRoutes reads the routes releases run through, as the Services and
// canaries ship made for them record (the canary still does when someone
// deleted ship's Services): one more list request per kind of route, none
// when no release runs through a route.
func (c *Client) listRoutes(ctx context.Context, namespace string, services []corev1.Service, deployments []appsv1.Deployment) (*release.ListedRoutes, error) {
	kinds := map[string]bool{}
	for _, obj := range shipObjects(services, deployments) {
		if ref, err := release.ParseRouteRef(obj.GetAnnotations()[release.AnnotationRoute]); err == nil && obj.GetLabels()[release.LabelRelease] != "" {
			kinds[ref.Kind] = true
		}
	}
	routes := &release.ListedRoutes{Namespace: namespace}
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

// shipObjects are the Services and Deployments that may record a route.
func shipObjects(services []corev1.Service, deployments []appsv1.Deployment) []metav1.Object {
	out := make([]metav1.Object, 0, len(services))
	for i := range services {
		out = append(out, &services[i])
	}
	for i := range deployments {
		if deployments[i].Labels[release.LabelRole] == release.RoleCanary {
			out = append(out, &deployments[i])
		}
	}
	return out
}
