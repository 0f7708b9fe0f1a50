package kube

import (
	"context"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
)

// WaitForReadyEndpoints blocks until the EndpointSlices of svc list at
// least one ready endpoint: before a route sends the Service traffic. It
// lists the slices once, then follows them by watch.
func (c *Client) WaitForReadyEndpoints(ctx context.Context, svc *corev1.Service, progress io.Writer) error {
	slices := c.endpointSlices(svc.Namespace)
	selector := discoveryv1.LabelServiceName + "=" + svc.Name
	list, err := slices.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	ready := map[string]sets.Set[string]{}
	for i := range list.Items {
		ready[list.Items[i].Name] = readyPods(&list.Items[i])
	}
	done := func() bool {
		for _, s := range ready {
			if s.Len() > 0 {
				return true
			}
		}
		return false
	}
	if done() {
		return nil
	}
	fmt.Fprintf(progress, "Waiting for service %q to have ready endpoints...\n", svc.Name)
	err = c.watchFrom(ctx, list.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.LabelSelector = selector
		return slices.Watch(ctx, opts)
	}, func(ev watch.Event) (bool, error) {
		slice, ok := ev.Object.(*discoveryv1.EndpointSlice)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			delete(ready, slice.Name)
		} else {
			ready[slice.Name] = readyPods(slice)
		}
		return done(), nil
	})
	if err != nil && ctx.Err() != nil {
		return &WaitError{msg: fmt.Sprintf("stopped waiting for service %s to have ready endpoints", svc.Name),
			TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
	}
	return err
}
