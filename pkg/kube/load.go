package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadRelease reads release name in three requests: the stable Deployment,
// the Deployments ship created for it (canary, green), and the Services (the
// one named by service, or every Service of the namespace to find those that
// route to it).
func (c *Client) LoadRelease(ctx context.Context, name, service string) (*release.Release, error) {
	deployments := c.deployments(c.Namespace)
	stable, err := deployments.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, release.NotRelease("deployment %s not found in namespace %s", name, c.Namespace)
	}
	if err != nil {
		return nil, err
	}
	if owner, ok := stable.Labels[release.LabelRelease]; ok {
		return nil, release.NotRelease("deployment %s was created by kubectl-ship for release %s: name the release, %s", name, owner, owner)
	}
	owned, err := deployments.List(ctx, metav1.ListOptions{LabelSelector: release.LabelRelease + "=" + name})
	if err != nil {
		return nil, err
	}
	services, err := c.releaseServices(ctx, service)
	if err != nil {
		return nil, err
	}
	return release.New(stable, owned.Items, services, service != "")
}

func (c *Client) releaseServices(ctx context.Context, name string) ([]corev1.Service, error) {
	if name == "" {
		list, err := c.services(c.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}
	svc, err := c.services(c.Namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, release.NotRelease("service %s not found in namespace %s", name, c.Namespace)
	}
	if err != nil {
		return nil, err
	}
	return []corev1.Service{*svc}, nil
}

// ReleaseNames returns the names of the stable Deployments that selector
// matches, skipping Deployments ship created, in one list request.
func (c *Client) ReleaseNames(ctx context.Context, selector string) ([]string, error) {
	list, err := c.deployments(c.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	var names []string
	for i := range list.Items {
		if _, shipCreated := list.Items[i].Labels[release.LabelRelease]; !shipCreated {
			names = append(names, list.Items[i].Name)
		}
	}
	return names, nil
}

// Nodes lists the cluster's nodes, or returns nil when they cannot be read
// (RBAC may forbid it): callers only use them to warn.
func (c *Client) Nodes(ctx context.Context) []corev1.Node {
	list, err := c.nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	return list.Items
}
