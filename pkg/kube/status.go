package kube

import (
	"context"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// LoadStatus reads what `status` shows in six requests, however many pods
// the release has: the release (two), the routes that send traffic to it
// (the namespace's HTTPRoutes, or the route it runs through), its Services'
// EndpointSlices, the pods they may point at, to tell the roles apart, and
// its lock.
func (c *Client) LoadStatus(ctx context.Context, namespace, name, service string) (*release.Status, error) {
	rel, err := c.LoadRelease(ctx, namespace, name, service)
	if err != nil {
		return nil, err
	}
	// Best effort: a route that cannot be read is said, not fatal.
	routesErr := c.loadRoutes(ctx, rel, strategy.RouteNeeds{Discover: true, Recorded: true})
	names := make([]string, len(rel.Services))
	for i, svc := range rel.Services {
		names[i] = svc.Name
	}
	slices, err := c.endpointSlices(namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + " in (" + strings.Join(names, ",") + ")",
	})
	if err != nil {
		return nil, err
	}
	pods, err := c.podMetadata(ctx, namespace, sharedLabels(rel).String())
	if err != nil {
		return nil, err
	}
	st := release.Summarize(rel, release.NewEndpoints(slices.Items, pods))
	if routesErr != nil {
		st.Warnings = append(st.Warnings, "the routes could not be read: "+routesErr.Error())
	}
	// Without the right to read the lock, status just does not show it.
	if lock, err := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{}); err == nil && held(lock) {
		st.Operation = DescribeLock(lock)
		st.Warnings = append(st.Warnings, "operation in progress, or interrupted: "+st.Operation+"; if its process is gone, run the same command again to continue")
	}
	return st, nil
}

// sharedLabels are the labels every Deployment of rel selects on with the
// same value: one selector for the pods of all of them.
func sharedLabels(rel *release.Release) labels.Set {
	shared := labels.Set{}
	for k, v := range rel.Stable.Spec.Selector.MatchLabels {
		shared[k] = v
	}
	for _, other := range []*appsv1.Deployment{rel.Canary, rel.Green} {
		if other == nil {
			continue
		}
		for k, v := range shared {
			if other.Spec.Selector.MatchLabels[k] != v {
				delete(shared, k)
			}
		}
	}
	return shared
}
