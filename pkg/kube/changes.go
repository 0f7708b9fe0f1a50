package kube

import (
	"context"
	"strings"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// Changes signals every change to the namespace's Deployments or to the
// EndpointSlices of the named Services, from two watches re-opened when the
// server closes them. Signals coalesce: a burst of events is one reload.
func (c *Client) Changes(ctx context.Context, namespace string, services []string) <-chan struct{} {
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
	return changed
}
