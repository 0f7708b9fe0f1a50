//go:build e2e

package e2e

import (
	"context"
	"sync"
	"testing"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// endpointWatcher follows a Service's EndpointSlices for the whole test and
// remembers the fewest ready endpoints it ever saw: the proof that the
// Service never went dark during an operation.
type endpointWatcher struct {
	mu       sync.Mutex
	ready    map[string]int // per slice
	minReady int
	events   int
}

func watchEndpoints(t *testing.T, ns, service string) *endpointWatcher {
	t.Helper()
	config, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(config)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := client.DiscoveryV1().EndpointSlices(ns).Watch(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
	if err != nil {
		t.Fatal(err)
	}
	ew := &endpointWatcher{ready: map[string]int{}, minReady: -1}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			slice, ok := ev.Object.(*discoveryv1.EndpointSlice)
			if !ok {
				continue
			}
			ew.record(ev.Type, slice)
		}
	}()
	t.Cleanup(func() { cancel(); w.Stop(); <-done })
	return ew
}

func (ew *endpointWatcher) record(kind watch.EventType, slice *discoveryv1.EndpointSlice) {
	ew.mu.Lock()
	defer ew.mu.Unlock()
	ready := 0
	for _, ep := range slice.Endpoints {
		if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
			ready++
		}
	}
	if kind == watch.Deleted {
		ready = 0
	}
	ew.ready[slice.Name] = ready
	total := 0
	for _, n := range ew.ready {
		total += n
	}
	ew.events++
	// The watch starts with the current slices: only count once the Service
	// has been seen serving.
	if total > 0 && ew.minReady < 0 {
		ew.minReady = total
	}
	if ew.minReady >= 0 && total < ew.minReady {
		ew.minReady = total
	}
}

// assertNeverDark fails the test if the Service ever had no ready endpoint.
func (ew *endpointWatcher) assertNeverDark(t *testing.T) {
	t.Helper()
	ew.mu.Lock()
	defer ew.mu.Unlock()
	if ew.minReady < 1 {
		t.Errorf("the Service had %d ready endpoints at its lowest (%d EndpointSlice events)", ew.minReady, ew.events)
	}
	t.Logf("fewest ready endpoints seen: %d over %d EndpointSlice events", ew.minReady, ew.events)
}
