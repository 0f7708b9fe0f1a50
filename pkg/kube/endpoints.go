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
)

// WaitForEndpoints blocks until the EndpointSlices of svc list as ready
// exactly the ready pods its selector now picks, and says how long that took.
// It lists the pods once, then follows the slices by watch.
func (c *Client) WaitForEndpoints(ctx context.Context, svc *corev1.Service, progress io.Writer) error {
	start := time.Now()
	pods, err := c.pods(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.Set(svc.Spec.Selector).String()})
	if err != nil {
		return err
	}
	want := sets.New[string]()
	for i := range pods.Items {
		if podReady(&pods.Items[i]) {
			want.Insert(pods.Items[i].Name)
		}
	}
	slices := c.endpointSlices(svc.Namespace)
	selector := discoveryv1.LabelServiceName + "=" + svc.Name
	list, err := slices.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	// Ready endpoints per slice, by slice name: a Service may have several.
	ready := map[string]sets.Set[string]{}
	for i := range list.Items {
		ready[list.Items[i].Name] = readyPods(&list.Items[i])
	}
	last := ""
	// done also reports progress, when what it sees has changed.
	done := func() bool {
		got := sets.New[string]()
		for _, s := range ready {
			got = got.Union(s)
		}
		if got.Equal(want) {
			return true
		}
		if msg := fmt.Sprintf("Waiting for service %q: %d of %d ready endpoints are the new pods...", svc.Name, got.Intersection(want).Len(), got.Len()); msg != last {
			fmt.Fprintln(progress, msg)
			last = msg
		}
		return false
	}
	if !done() {
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
	}
	if err != nil {
		if ctx.Err() != nil {
			return &WaitError{msg: fmt.Sprintf("stopped waiting for the endpoints of service %s (%s)", svc.Name, last),
				TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
		}
		return err
	}
	fmt.Fprintf(progress, "service %q routes to %d ready pods, %.2fs after the switch\n", svc.Name, want.Len(), time.Since(start).Seconds())
	return nil
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

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil
		}
	}
	return false
}
