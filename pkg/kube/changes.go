package kube

import (
	"context"
	"strings"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Changes signals every change to the namespace's Deployments, to the
// EndpointSlices of the named Services or to release name's lock, from three
// watches re-opened when the server closes them. Signals coalesce: a burst of events is one reload.
func (c *Client) Changes(ctx context.Context, namespace, name string, services []string) <-chan struct{} {
	changed := make(chan struct{}, 1)
	follow := func(open func(context.Context) (watch.Interface, error)) {
		for ctx.Err() == nil {
			w, err := open(ctx)
			if err != nil {
				// The API server may be restarting: try again shortly.
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			for range w.ResultChan() {
				select {
				case changed <- struct{}{}:
				default:
				}
			}
			w.Stop()
		}
	}
	go follow(func(ctx context.Context) (watch.Interface, error) {
		return c.deployments(namespace).Watch(ctx, metav1.ListOptions{})
	})
	go follow(func(ctx context.Context) (watch.Interface, error) {
		return c.endpointSlices(namespace).Watch(ctx, metav1.ListOptions{
			LabelSelector: discoveryv1.LabelServiceName + " in (" + strings.Join(services, ",") + ")",
		})
	})
	// The lock: the operation in progress, and a progression's checks.
	go follow(func(ctx context.Context) (watch.Interface, error) {
		return c.leases(namespace).Watch(ctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("metadata.name", release.LockName(name)).String(),
		})
	})
	return changed
}
