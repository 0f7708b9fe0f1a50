package kube

import (
	"context"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// LoadStatus reads what `status` shows in six requests, however many pods
// the release has: the release (two), the routes that send traffic to it
// (the namespace's HTTPRoutes, or the route it runs through), its Services'
// EndpointSlices, the metadata of the pods they may point at, whose owners
// tell the roles apart, and its lock.
func (c *Client) LoadStatus(ctx context.Context, namespace, name string, choice release.Choice) (*release.Status, error) {
	rel, err := c.LoadRelease(ctx, namespace, name, choice)
	if err != nil {
		return nil, err
	}
	// Without the right to read the lock, status just does not show it.
	lock, lockErr := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if lockErr == nil {
		rel.SetRecord(release.ParseRouteRecord(lock.Annotations[release.AnnotationRouteRecord]))
	}
	// Best effort: a route that cannot be read is said, not fatal.
	routesErr := c.loadRoutes(ctx, rel, strategy.RouteNeeds{Discover: true, Recorded: true})
	slices, err := c.endpointSlices(namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + " in (" + strings.Join(rel.TrafficServices(), ",") + ")",
	})
	if err != nil {
		return nil, err
	}
	pods, err := c.podMetadata(ctx, namespace, endpointPods(rel))
	if err != nil {
		return nil, err
	}
	st := release.Summarize(rel, release.NewEndpoints(slices.Items, pods))
	if routesErr != nil {
		st.Warnings = append(st.Warnings, "the routes could not be read: "+routesErr.Error())
	}
	if lockErr == nil {
		st.Progression = release.ParseProgression(lock.Annotations[release.AnnotationProgression])
		if held(lock) {
			st.Operation = describeLock(lock)
			st.Warnings = append(st.Warnings, lockAdvice(lock))
		}
	}
	return st, nil
}

// lockAdvice says what a held lock means and what to do about it: only what
// works in that state.
func lockAdvice(l *coordinationv1.Lease) string {
	op := describeLock(l)
	switch {
	case stale(l):
		return "operation interrupted, its process gone: " + op + "; run the same command again to finish it, or the way back (abort, switch back) to undo it"
	case l.Annotations[release.AnnotationStaying] != "":
		return "operation waiting: " + op + "; it stops when another kubectl ship command on the release runs"
	}
	return "operation in progress: " + op + "; wait for it to finish; if its process died on another machine, its lock expires when it says and the same command then continues"
}

// endpointPods selects every pod the release's Services may point at, by
// the labels they all select on with the same value, whichever Deployment
// owns it (a hand-made canary's pods too), so each endpoint's pod is found
// and its owner named; and the pods of a canary kept out of them for a
// route (app: web-canary), by the other value of the same label, as rel
// has it or as judged (a canary created since rel was read) does.
func endpointPods(rel *release.Release, judged ...*appsv1.Deployment) string {
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
	selector := labels.NewSelector()
	for _, k := range sets.List(sets.KeySet(shared)) {
		values := []string{shared[k]}
		for _, d := range append(judged, rel.Canary) {
			if d == nil {
				continue
			}
			if v, ok := d.Spec.Template.Labels[k]; ok && v != shared[k] && !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
		req, err := labels.NewRequirement(k, selection.In, values)
		if err != nil {
			continue // read from the cluster, so valid
		}
		selector = selector.Add(*req)
	}
	return selector.String()
}

// Health reads what the built-in gate judges of rel and judged (the
// Deployment under test, which rel may have been read without), in two
// requests whatever the number of pods: the pods its Services may route
// to, whole (their status), and the Deployments of its namespace, by name.
func (c *Client) Health(ctx context.Context, rel *release.Release, judged *appsv1.Deployment) ([]corev1.Pod, map[string]*appsv1.Deployment, error) {
	namespace := rel.Stable.Namespace
	pods, err := c.pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: endpointPods(rel, judged)})
	if err != nil {
		return nil, nil, err
	}
	list, err := c.deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]*appsv1.Deployment{}
	for i := range list.Items {
		byName[list.Items[i].Name] = &list.Items[i]
	}
	return pods.Items, byName, nil
}
