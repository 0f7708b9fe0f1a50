package kube

import (
	"context"
	"errors"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Load reads what a planner needs of release name in namespace, made of
// what choice names: the release (two requests) and, as needs asks, the
// nodes, the stable Deployment's ReplicaSets, the namespace's
// HorizontalPodAutoscalers or its routes (one more each). record is the way
// back of a route the release's lock keeps, if any: the route it names is
// read even when ship's Services that also name it are gone.
func (c *Client) Load(ctx context.Context, namespace, name string, choice release.Choice, needs plans.Needs, record *release.RouteRecord) (*plans.Snapshot, error) {
	rel, err := c.loadServed(ctx, namespace, name, choice, needs.Unserved)
	if rel == nil && release.IsNoDeployment(err) && (needs.StatefulSet || needs.DaemonSet) {
		return c.loadWorkload(ctx, namespace, name, needs, statefulRoutes{needs.Routes, record, choice}, err)
	}
	if err != nil {
		return nil, err
	}
	rel.SetRecord(record)
	s := &plans.Snapshot{Release: rel}
	if needs.Capacity && plans.SetsRequests(rel.Stable) {
		s.Nodes = c.Nodes(ctx)
	}
	if needs.Autoscalers {
		// Best effort: a user who may not read them gets no warning of them.
		if list, err := c.autoscalers(namespace).List(ctx, metav1.ListOptions{}); err == nil {
			rel.SetAutoscalers(list.Items)
		}
	}
	if err := c.loadRoutes(ctx, rel, needs.Routes); err != nil {
		return nil, err
	}
	if needs.Revisions {
		if s.ReplicaSets, err = c.replicaSetsOf(ctx, rel.Stable); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// LoadRelease reads release name in two requests, however many objects it
// has: the Deployments of the namespace (the stable one, and those beside
// it: ship's canary and green, one made by hand, or anything in their way)
// and its Services (those that route to it, or the one choice names, and
// any in the way of a Service ship would create).
func (c *Client) LoadRelease(ctx context.Context, namespace, name string, choice release.Choice) (*release.Release, error) {
	list, err := c.deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var stable *appsv1.Deployment
	for i := range list.Items {
		if list.Items[i].Name == name {
			stable = &list.Items[i]
		}
	}
	if stable == nil {
		return nil, release.NoDeployment(name, namespace)
	}
	if owner, ok := release.OwnerOf(stable); ok {
		return nil, release.NotRelease("deployment %s was created by kubectl-ship for release %s: name the release, %s", name, owner, owner)
	}
	services, err := c.services(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return release.NewChosen(stable, list.Items, services.Items, choice)
}

// loadServed is LoadRelease; unserved, a release no Service routes to any
// more is no error: it has no Services.
func (c *Client) loadServed(ctx context.Context, namespace, name string, choice release.Choice, unserved bool) (*release.Release, error) {
	rel, err := c.LoadRelease(ctx, namespace, name, choice)
	var notRelease *release.NotReleaseError
	if unserved && rel != nil && errors.As(err, &notRelease) {
		return rel, nil
	}
	return rel, err
}

// ReleaseNames returns the names of the stable Deployments of namespace that
// selector matches, skipping Deployments ship created, in one list request.
func (c *Client) ReleaseNames(ctx context.Context, namespace, selector string) ([]string, error) {
	list, err := c.deployments(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	var names []string
	for i := range list.Items {
		if _, shipCreated := release.OwnerOf(&list.Items[i]); !shipCreated {
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

// loadWorkload reads the StatefulSet of name, or else the DaemonSet, as
// needs asks, when no Deployment has the name (noDeployment).
func (c *Client) loadWorkload(ctx context.Context, namespace, name string, needs plans.Needs, routes statefulRoutes, noDeployment error) (*plans.Snapshot, error) {
	if needs.StatefulSet {
		snap, err := c.loadStatefulSet(ctx, namespace, name, routes, noDeployment)
		if err != noDeployment || !needs.DaemonSet {
			return snap, err
		}
	}
	return c.loadDaemonSet(ctx, namespace, name, needs.NodeSelector, noDeployment)
}
