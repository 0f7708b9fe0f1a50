//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// routeWatcher checks, for the whole test, that the routes of a namespace
// (HTTPRoutes and Ingresses) never send traffic to one of the release's
// Services while it has no ready endpoint.
type routeWatcher struct {
	ns, prefix string
	mu         sync.Mutex
	dark       []string
	checks     int
}

// watchRouteBackends polls the namespace's routes and the EndpointSlices of
// the Services they name that start with prefix. A check counts only when
// the routes did not change while the slices were read: the slices are then
// what the routes sent traffic to.
func watchRouteBackends(t *testing.T, ns, prefix string) *routeWatcher {
	t.Helper()
	rw := &routeWatcher{ns: ns, prefix: prefix}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			rw.check(ctx, t, ns, prefix)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return rw
}

func (rw *routeWatcher) check(ctx context.Context, t *testing.T, ns, prefix string) {
	version, backends, err := routeBackends(ctx, t, ns, prefix)
	if err != nil || len(backends) == 0 {
		return
	}
	empty := []string{}
	for svc, routes := range backends {
		slices, err := apiClient(t).DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc})
		if err != nil {
			return
		}
		ready := 0
		for _, s := range slices.Items {
			for _, ep := range s.Endpoints {
				if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
					ready++
				}
			}
		}
		if ready == 0 {
			empty = append(empty, fmt.Sprintf("service %s (named by %s)", svc, strings.Join(routes, ", ")))
		}
	}
	if again, _, err := routeBackends(ctx, t, ns, prefix); err != nil || again != version {
		return
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.checks++
	for _, e := range empty {
		rw.dark = append(rw.dark, time.Now().Format("15:04:05.000")+" "+e)
	}
}

// routeBackends lists the Services starting with prefix that the
// namespace's routes send traffic to, with the routes that do, and a version
// of the routes (their names and resourceVersions).
func routeBackends(ctx context.Context, t *testing.T, ns, prefix string) (string, map[string][]string, error) {
	backends := map[string][]string{}
	var versions []string
	for _, gvr := range []schema.GroupVersionResource{httpRoutes, ingressResource} {
		list, err := dynamicClient(t).Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return "", nil, err
		}
		for _, item := range list.Items {
			versions = append(versions, gvr.Resource+"/"+item.GetName()+"@"+item.GetResourceVersion())
			for _, svc := range servicesOf(&item) {
				if strings.HasPrefix(svc, prefix) {
					backends[svc] = append(backends[svc], gvr.Resource+"/"+item.GetName())
				}
			}
		}
	}
	sort.Strings(versions)
	return strings.Join(versions, " "), backends, nil
}

// servicesOf names the Services of its own namespace an HTTPRoute or an
// Ingress sends traffic to.
func servicesOf(obj *unstructured.Unstructured) []string {
	var out []string
	rules, _, _ := unstructured.NestedSlice(obj.Object, "spec", "rules")
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		refs, _ := rule["backendRefs"].([]any)
		for _, ref := range refs {
			m, _ := ref.(map[string]any)
			if _, other := m["namespace"]; !other && (m["kind"] == nil || m["kind"] == "Service") {
				out = append(out, fmt.Sprint(m["name"]))
			}
		}
		paths, _, _ := unstructured.NestedSlice(rule, "http", "paths")
		for _, p := range paths {
			if name, ok, _ := unstructured.NestedString(p.(map[string]any), "backend", "service", "name"); ok {
				out = append(out, name)
			}
		}
	}
	if name, ok, _ := unstructured.NestedString(obj.Object, "spec", "defaultBackend", "service", "name"); ok {
		out = append(out, name)
	}
	return out
}

// assertAlwaysServed fails the test if a route ever sent traffic to a
// Service of the release without ready endpoints.
func (rw *routeWatcher) assertAlwaysServed(t *testing.T) {
	t.Helper()
	if rw == nil {
		return // nothing was routed
	}
	// On a loaded machine the routes may have moved during every check of
	// the poll: one more, now that the command is done.
	rw.mu.Lock()
	none := rw.checks == 0
	rw.mu.Unlock()
	if none {
		rw.check(context.Background(), t, rw.ns, rw.prefix)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.checks == 0 {
		t.Error("the route watcher made no check")
	}
	if len(rw.dark) > 0 {
		t.Errorf("a route sent traffic to a Service without ready endpoints:\n%s", strings.Join(rw.dark, "\n"))
	}
}

// darkChecks is how many checks found a route sending traffic to a Service
// without ready endpoints.
func (rw *routeWatcher) darkChecks() int {
	if rw == nil {
		return 0
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return len(rw.dark)
}
