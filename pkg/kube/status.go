package kube

import (
	"context"
	"strings"

	"golang.org/x/sync/errgroup"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// LoadStatus reads what `status` shows in six requests, however many pods
// the release has: the release (two), the routes that send traffic to it
// (the namespace's HTTPRoutes, or the route it runs through), its Services'
// EndpointSlices, the metadata of the pods they may point at, whose owners
// tell the roles apart, and its lock.
func (c *Client) LoadStatus(ctx context.Context, namespace, name string, choice release.Choice) (*release.Status, error) {
	rel, err := c.LoadRelease(ctx, namespace, name, choice)
	if release.IsNoDeployment(err) {
		st, stsErr := c.statefulStatus(ctx, namespace, name, err)
		if stsErr == err {
			return c.daemonStatus(ctx, namespace, name, err)
		}
		return st, stsErr
	}
	if err != nil {
		return nil, err
	}
	// Without the right to read the lock, status just does not show it.
	lock, lockErr := c.leases(namespace).Get(ctx, release.LockName(name), metav1.GetOptions{})
	if lockErr == nil {
		rel.SetRecord(release.ParseRouteRecord(lock.Annotations[release.AnnotationRouteRecord]))
	}
	// Best effort: a route that cannot be read is said, not fatal.
	routesErr := c.loadRoutes(ctx, rel, plans.RouteNeeds{Discover: true, Recorded: true})
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
		applyLock(st, lock)
	}
	return st, nil
}

// applyLock shows on st what its lock says: the progression, and the
// operation that holds it with what to do about it.
func applyLock(st *release.Status, lock *coordinationv1.Lease) {
	st.Progression = release.ParseProgression(lock.Annotations[release.AnnotationProgression])
	if last, ok := release.LastOperation(lock.Annotations[release.AnnotationHistory]); ok {
		st.LastOperation = &last
	}
	if held(lock) {
		st.Operation = describeLock(lock)
		st.Warnings = append(st.Warnings, lockAdvice(lock))
	}
	// Recorded as under way, but no command runs it: say so.
	if p := st.Progression; p != nil && (p.Phase == release.ProgressionRunning || p.Phase == release.ProgressionPromoting) && (!held(lock) || stale(lock)) {
		p.Phase = release.ProgressionInterrupted
		p.Reason = "its command stopped before the end (Ctrl-C, a kill, a lost connection): run it again to resume at this step"
	}
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
// route (app: web-canary), by the other value of the same label.
func endpointPods(rel *release.Release) string {
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
		if c := rel.Canary; c != nil {
			if v, ok := c.Spec.Template.Labels[k]; ok && v != shared[k] {
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

// Observe reads what one check of a hold or a soak judges of release name,
// in four requests whatever the number of its pods (five through a route):
// the release (two), then at once the route it runs through, its pods
// whole (their status) by the labels its Deployments' selectors share, and
// the EndpointSlices of its Services and of ship's.
// The Services named in services are counted too: those the release had
// when its hold began, which may select nothing any more.
func (c *Client) Observe(ctx context.Context, namespace, name string, choice release.Choice, services []string) (*release.Observed, error) {
	rel, err := c.loadServed(ctx, namespace, name, choice, true)
	if err != nil {
		return nil, err
	}
	pods := rel.PodSelector().String()
	services = sets.List(sets.New(services...).Insert(rel.CheckedServices()...))
	var podList *corev1.PodList
	var slices *discoveryv1.EndpointSliceList
	var g errgroup.Group
	g.Go(func() error { return c.loadRoutes(ctx, rel, plans.RouteNeeds{Recorded: true}) })
	g.Go(func() (err error) {
		podList, err = c.pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: pods})
		return err
	})
	slices = &discoveryv1.EndpointSliceList{}
	if len(services) > 0 {
		g.Go(func() (err error) {
			slices, err = c.endpointSlices(namespace).List(ctx, metav1.ListOptions{
				LabelSelector: discoveryv1.LabelServiceName + " in (" + strings.Join(services, ",") + ")",
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	meta := make([]metav1.PartialObjectMetadata, len(podList.Items))
	for i := range podList.Items {
		meta[i].ObjectMeta = podList.Items[i].ObjectMeta
	}
	return &release.Observed{Release: rel, Pods: podList.Items, Endpoints: release.NewEndpoints(slices.Items, meta)}, nil
}
