package kube

import (
	"context"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// loadStatefulSet reads StatefulSet name and its pods, two requests, for a
// planner that plans StatefulSets; when there is none, or the user may not
// read StatefulSets, noDeployment (the error that no Deployment has the
// name) is the answer. A canary through a route, named or recorded, also
// reads the namespace's Services and the route (two requests more); a
// canary that may find its route reads them too, as a Deployment's canary
// does (and, when no route sends traffic to its Services, the
// ReferenceGrants): with no Service it may list, it takes its share of the
// pods.
func (c *Client) loadStatefulSet(ctx context.Context, namespace, name string, routes statefulRoutes, noDeployment error) (*plans.Snapshot, error) {
	sts, pods, err := c.ObserveStatefulSet(ctx, namespace, name)
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		return nil, noDeployment
	case err != nil:
		return nil, err
	}
	snap := &plans.Snapshot{StatefulSet: sts, Pods: pods}
	if !routes.read() {
		return snap, nil
	}
	services, err := c.services(namespace).List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) && routes.discoverOnly() {
		return snap, nil
	} else if err != nil {
		return nil, err
	}
	// With no Service of its pods, the release is still read: the planner
	// says what the route needs, and puts back a route recorded.
	rel, err := release.NewChosen(release.StatefulView(sts), nil, services.Items, routes.choice)
	if rel == nil && routes.discoverOnly() {
		return snap, nil
	} else if rel == nil {
		return nil, err
	}
	rel.SetRecord(routes.record)
	if err := c.loadRoutes(ctx, rel, routes.needs); err != nil {
		return nil, err
	}
	snap.StatefulRoute = rel
	return snap, nil
}

// statefulRoutes is what a StatefulSet's planner reads of its routes: the
// route named, or the one the release's lock records, or the routes to
// find its own among.
type statefulRoutes struct {
	needs  plans.RouteNeeds
	record *release.RouteRecord
	choice release.Choice
}

// read says whether routes are to be read: named, recorded (even for
// --route none, which a canary through a route refuses), or to be found.
func (r statefulRoutes) read() bool {
	return r.needs.Named != nil || r.needs.Discover || r.record != nil
}

// discoverOnly says that the routes are read only to find one: none named
// or recorded, so a canary without one takes its share of the pods.
func (r statefulRoutes) discoverOnly() bool {
	return r.needs.Named == nil && r.record == nil
}

// ObserveStatefulSet reads StatefulSet name and the pods its selector
// matches, two requests however many pods: what its built-in gates judge.
func (c *Client) ObserveStatefulSet(ctx context.Context, namespace, name string) (*appsv1.StatefulSet, []corev1.Pod, error) {
	sts, err := c.statefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	selector, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, nil, fmt.Errorf("statefulset %s: %w", name, err)
	}
	pods, err := c.pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, nil, err
	}
	return sts, pods.Items, nil
}

// ObserveHTTPRoute reads HTTPRoute ref (its namespace given), one list of
// its namespace's routes as every read of routes is: nil when it is gone.
func (c *Client) ObserveHTTPRoute(ctx context.Context, ref release.RouteRef) (*release.HTTPRoute, error) {
	routes, err := c.httpRoutes(ctx, ref.Namespace)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	for _, route := range routes {
		if route.Name() == ref.Name {
			return route, nil
		}
	}
	return nil, nil
}

// statefulStatus is LoadStatus for a StatefulSet's release, when no
// Deployment has its name: the StatefulSet, its pods and the release's lock,
// three requests (four with the Deployments' list before), however many pods;
// and when the lock records a route its canary runs through, that route's
// weights (a list of the routes, one more).
func (c *Client) statefulStatus(ctx context.Context, namespace, name string, noDeployment error) (*release.Status, error) {
	snap, err := c.loadStatefulSet(ctx, namespace, name, statefulRoutes{}, noDeployment)
	if err != nil {
		return nil, err
	}
	st, lock := c.withLock(ctx, release.SummarizeStateful(snap.StatefulSet, snap.Pods))
	if lock == nil || st.Strategy != release.StrategyCanary {
		return st, nil
	}
	ref, routed := release.ParseRouteRecord(lock.Annotations[release.AnnotationRouteRecord]).Ref()
	if !routed || ref.Kind != release.KindHTTPRoute {
		return st, nil
	}
	route, err := c.ObserveHTTPRoute(ctx, ref.In(namespace))
	if err != nil {
		st.Warnings = append(st.Warnings, fmt.Sprintf("reading %s, which the canary runs through: %v", ref.Relative(namespace), err))
		return st, nil
	}
	release.AddStatefulRoute(st, ref.Relative(namespace), route)
	return st, nil
}

// withLock is st with what the release's lock says (an operation in
// progress or interrupted, the progression), one request, and the lock;
// without the right to read it, st as it is and no lock.
func (c *Client) withLock(ctx context.Context, st *release.Status) (*release.Status, *coordinationv1.Lease) {
	lock, err := c.leases(st.Namespace).Get(ctx, release.LockName(st.Name), metav1.GetOptions{})
	if err != nil {
		return st, nil
	}
	applyLock(st, lock)
	return st, lock
}

// WaitForStatefulRollout blocks until sts has rolled out as far as its
// partition lets it, printing progress as 'kubectl rollout status
// statefulset/NAME' does.
func (c *Client) WaitForStatefulRollout(ctx context.Context, sts *appsv1.StatefulSet, progress io.Writer) error {
	return followRollout(ctx, c, c.statefulSets(sts.Namespace), "statefulset", sts, release.StatefulRolloutStatus, progress)
}
