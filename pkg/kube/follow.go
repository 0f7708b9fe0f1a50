package kube

import (
	"context"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/klog/v2"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Follower keeps the releases of a namespace (or of every namespace) current
// from watches: the lists of LoadStatuses, and the routes the releases
// run through, each then followed by one watch; and after them the
// namespace's release locks, for the operations in progress and the
// progressions. However many read it, it makes these requests once.
type Follower struct {
	namespace string
	changed   chan struct{}
	synced    chan struct{}

	deployments, services, slices, pods, leases *mirror
	// statefulSets and daemonSets are followed beside them, best effort: a
	// user who may not list them sees the other releases.
	statefulSets, daemonSets *mirror

	mu sync.Mutex
	// routes are followed by kind, once a release runs through one; listed
	// is closed after a kind's first list.
	routes map[string]*mirror
	listed map[string]chan struct{}
}

// Follow starts following namespace ("" is every namespace) until ctx ends.
func (c *Client) Follow(ctx context.Context, namespace string) *Follower {
	f := &Follower{
		namespace:    namespace,
		changed:      make(chan struct{}, 1),
		synced:       make(chan struct{}),
		routes:       map[string]*mirror{},
		listed:       map[string]chan struct{}{},
		deployments:  newMirror(sourceOf(c.deployments(namespace)), nil),
		statefulSets: newMirror(sourceOf(c.statefulSets(namespace)), nil),
		daemonSets:   newMirror(sourceOf(c.daemonSets(namespace)), nil),
		services:     newMirror(sourceOf(c.services(namespace)), nil),
		slices:       newMirror(sourceOf(c.endpointSlices(namespace)), nil),
		pods: newMirror(source{
			list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return c.podMetadataList(ctx, namespace, o)
			},
			watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return c.watchPodMetadata(ctx, namespace, o)
			},
		}, nil),
		leases: newMirror(sourceOf(c.leases(namespace)),
			func(o metav1.Object) bool { return strings.HasPrefix(o.GetName(), release.LockName("")) }),
	}
	go f.run(ctx, c)
	return f
}

// listWatcher is a typed client of one kind: what a mirror lists and
// watches.
type listWatcher[L runtime.Object] interface {
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// sourceOf is the source of a mirror of the kind r lists and watches.
func sourceOf[L runtime.Object](r listWatcher[L]) source {
	return source{
		list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return r.List(ctx, o)
		},
		watch: r.Watch,
	}
}

// run lists what `list` lists, in as many requests, then the locks.
func (f *Follower) run(ctx context.Context, c *Client) {
	var first sync.WaitGroup
	for _, m := range []*mirror{f.deployments, f.statefulSets, f.daemonSets, f.services, f.slices, f.pods} {
		first.Add(1)
		go m.follow(ctx, f.onChange(ctx, m, c), first.Done, f.synced)
	}
	first.Wait()
	f.mu.Lock()
	listed := make([]chan struct{}, 0, len(f.listed))
	for _, done := range f.listed {
		listed = append(listed, done)
	}
	f.mu.Unlock()
	for _, done := range listed {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	// The mark of what the first view costs, for -v=6 logs: every request
	// to this server before it.
	klog.V(2).InfoS("Releases listed", "server", c.Host(), "namespace", f.namespace)
	close(f.synced)
	f.signal()
	go f.leases.follow(ctx, f.signal, nil, nil)
}

// onChange is what a change of m does: a change of the Services may bring
// a kind of route to follow.
func (f *Follower) onChange(ctx context.Context, m *mirror, c *Client) func() {
	if m != f.services {
		return f.signal
	}
	return func() {
		f.followRoutes(ctx, c)
		f.signal()
	}
}

// followRoutes starts following each kind of route a release of the
// Services runs through, once.
func (f *Follower) followRoutes(ctx context.Context, c *Client) {
	objects, _, _ := f.services.state()
	for _, obj := range objects {
		svc := obj.(*corev1.Service)
		ref, err := release.ParseRouteRef(svc.Annotations[release.AnnotationRoute])
		if err != nil || svc.Labels[release.LabelRelease] == "" {
			continue
		}
		f.mu.Lock()
		if f.routes[ref.Kind] == nil {
			m, done := newMirror(c.routeSource(ref.Kind, f.namespace), nil), make(chan struct{})
			f.routes[ref.Kind], f.listed[ref.Kind] = m, done
			go m.follow(ctx, f.signal, func() { close(done) }, f.synced)
		}
		f.mu.Unlock()
	}
}

// routeSource lists and watches the routes of a kind: Ingresses, or
// HTTPRoutes as unstructured objects, ship having no Go types for them.
func (c *Client) routeSource(kind, namespace string) source {
	if kind == release.KindIngress {
		return source{
			list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return c.ingresses(namespace).List(ctx, o)
			},
			watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return c.ingresses(namespace).Watch(ctx, o)
			},
		}
	}
	client, err := dynamic.NewForConfigAndClient(c.config, c.httpClient)
	if err != nil {
		fail := func(context.Context, metav1.ListOptions) (runtime.Object, error) { return nil, err }
		return source{list: fail}
	}
	routes := client.Resource(httpRouteVersion.WithResource("httproutes")).Namespace(namespace)
	return source{
		list:  func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return routes.List(ctx, o) },
		watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return routes.Watch(ctx, o) },
	}
}

func (f *Follower) signal() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// Changed signals a change; signals coalesce.
func (f *Follower) Changed() <-chan struct{} { return f.changed }

// Synced is closed once the releases were listed, or could not be.
func (f *Follower) Synced() <-chan struct{} { return f.synced }
