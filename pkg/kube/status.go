package kube

import (
	"context"
	"strings"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadStatus reads what `status` shows in six requests, however many pods
// the release has: the release (three), its Services' EndpointSlices, the
// metadata of the pods they may point at, whose owners tell the roles apart,
// and its lock.
func (c *Client) LoadStatus(ctx context.Context, name, service string) (*release.Status, error) {
	rel, err := c.LoadRelease(ctx, name, service)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(rel.Services))
	for i, svc := range rel.Services {
		names[i] = svc.Name
	}
	slices, err := c.endpointSlices(c.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + " in (" + strings.Join(names, ",") + ")",
	})
	if err != nil {
		return nil, err
	}
	pods, err := c.podMetadata(ctx, c.Namespace, endpointPods(rel).String())
	if err != nil {
		return nil, err
	}
	st := release.Summarize(rel, release.NewEndpoints(slices.Items, pods))
	// Without the right to read the lock, status just does not show it.
	if lock, err := c.leases(c.Namespace).Get(ctx, release.LockName(name), metav1.GetOptions{}); err == nil && held(lock) {
		st.Operation = DescribeLock(lock)
		st.Warnings = append(st.Warnings, "operation in progress, or interrupted: "+st.Operation+"; if its process is gone, run the same command again to continue")
	}
	return st, nil
}

// endpointPods are the labels every Service of rel selects on with the same
// value: one selector for every pod their endpoints may point at, whichever
// Deployment owns it (a hand-made canary's pods too), so each endpoint's
// pod is found and its owner named.
func endpointPods(rel *release.Release) labels.Set {
	shared := labels.Set{}
	for k, v := range rel.Services[0].Spec.Selector {
		shared[k] = v
	}
	for _, svc := range rel.Services[1:] {
		for k, v := range shared {
			if svc.Spec.Selector[k] != v {
				delete(shared, k)
			}
		}
	}
	return shared
}
