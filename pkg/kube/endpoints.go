package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// WaitForEndpoints blocks until the EndpointSlices of svc list as ready
// exactly the ready pods its selector now picks, and says how long that took.
// It lists the pods once, then follows the slices.
func (c *Client) WaitForEndpoints(ctx context.Context, svc *corev1.Service, progress io.Writer) error {
	start := time.Now()
	pods, err := c.pods(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.Set(svc.Spec.Selector).String()})
	if err != nil {
		return err
	}
	want := sets.New[string]()
	for i := range pods.Items {
		if release.PodReady(&pods.Items[i]) {
			want.Insert(pods.Items[i].Name)
		}
	}
	last := ""
	err = c.followEndpoints(ctx, svc, func(got sets.Set[string]) bool {
		if got.Equal(want) {
			return true
		}
		// Progress, when what it sees has changed.
		if msg := fmt.Sprintf("Waiting for service %q: %d of %d ready endpoints are the new pods...", svc.Name, got.Intersection(want).Len(), got.Len()); msg != last {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		return false
	})
	if err != nil {
		return endpointsWaitError(ctx, err, fmt.Sprintf("stopped waiting for the endpoints of service %s (%s)", svc.Name, last))
	}
	fmt.Fprintf(progress, "service %q routes to %d ready pods, %.2fs after the switch\n", svc.Name, want.Len(), time.Since(start).Seconds())
	return nil
}

// WaitForReadyEndpoints blocks until the EndpointSlices of svc list at
// least one ready endpoint: before a route sends the Service traffic.
func (c *Client) WaitForReadyEndpoints(ctx context.Context, svc *corev1.Service, progress io.Writer) error {
	said := false
	err := c.followEndpoints(ctx, svc, func(got sets.Set[string]) bool {
		if got.Len() == 0 && !said {
			fmt.Fprintf(progress, "Waiting for service %q to have ready endpoints...\n", svc.Name)
			said = true
		}
		return got.Len() > 0
	})
	return endpointsWaitError(ctx, err, fmt.Sprintf("stopped waiting for service %s to have ready endpoints", svc.Name))
}

// followEndpoints lists the EndpointSlices of svc and, unless done already
// holds for the pods they list as ready, follows them by watch until it does.
func (c *Client) followEndpoints(ctx context.Context, svc *corev1.Service, done func(ready sets.Set[string]) bool) error {
	slices := c.endpointSlices(svc.Namespace)
	selector := discoveryv1.LabelServiceName + "=" + svc.Name
	list, err := slices.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	// Ready endpoints per slice, by slice name: a Service may have several.
	bySlice := map[string]sets.Set[string]{}
	for i := range list.Items {
		bySlice[list.Items[i].Name] = readyPods(&list.Items[i])
	}
	check := func() bool {
		all := sets.New[string]()
		for _, s := range bySlice {
			all = all.Union(s)
		}
		return done(all)
	}
	if check() {
		return nil
	}
	return c.watchFrom(ctx, list.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.LabelSelector = selector
		return slices.Watch(ctx, opts)
	}, func(ev watch.Event) (bool, error) {
		slice, ok := ev.Object.(*discoveryv1.EndpointSlice)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			delete(bySlice, slice.Name)
		} else {
			bySlice[slice.Name] = readyPods(slice)
		}
		return check(), nil
	})
}

// endpointsWaitError is err, a wait for endpoints ended by ctx as a
// WaitError saying msg.
func endpointsWaitError(ctx context.Context, err error, msg string) error {
	if err != nil && ctx.Err() != nil {
		return &WaitError{msg: msg, TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
	}
	return err
}

func readyPods(slice *discoveryv1.EndpointSlice) sets.Set[string] {
	out := sets.New[string]()
	for _, ep := range slice.Endpoints {
		if ep.TargetRef != nil && ep.Conditions.Ready != nil && *ep.Conditions.Ready {
			out.Insert(ep.TargetRef.Name)
		}
	}
	return out
}
