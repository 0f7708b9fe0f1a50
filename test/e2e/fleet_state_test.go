//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// fleetShip runs `kubectl ship -n ns ARGS` with the fleet's kubeconfig.
func fleetShip(t *testing.T, extraEnv []string, ns string, args ...string) result {
	t.Helper()
	return kubectlEnv(t, append([]string{"KUBECONFIG=" + fleetEnv.kubeconfig}, extraEnv...), append([]string{"ship", "-n", ns}, args...)...)
}

// eachCluster runs fn for the three clusters at once.
func eachCluster(fn func(name string, c *kubernetes.Clientset)) {
	var wg sync.WaitGroup
	for _, name := range fleetContexts {
		wg.Add(1)
		go func() { defer wg.Done(); fn(name, fleetEnv.clients[name]) }()
	}
	wg.Wait()
}

// fleetRelease creates a namespace of the test's own in the three clusters,
// deleted when it ends, with the seed's ctwoc release in each (3 pods of v1
// behind a Service), and returns once every one is available.
func fleetRelease(t *testing.T) string {
	t.Helper()
	return fleetNamespace(t, seedIn)
}

// fleetNamespace creates a namespace of the test's own in the three
// clusters, deleted when it ends, seeds each with seed at once, and returns
// once every seed has.
func fleetNamespace(t *testing.T, seed func(c *kubernetes.Clientset, ns string) error) string {
	t.Helper()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	ns := "fleet-" + hex.EncodeToString(suffix)
	errs := make(chan error, len(fleetContexts))
	eachCluster(func(_ string, c *kubernetes.Clientset) {
		_, err := c.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err == nil {
			err = seed(c, ns)
		}
		errs <- err
	})
	close(errs)
	t.Cleanup(func() {
		eachCluster(func(_ string, c *kubernetes.Clientset) {
			_ = c.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
		})
	})
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

func seedIn(c *kubernetes.Clientset, ns string) error {
	ctx := context.Background()
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, seedDeployment(seed{}), metav1.CreateOptions{}); err != nil {
		return err
	}
	if _, err := c.CoreV1().Services(ns).Create(ctx, seedService("ctwoc"), metav1.CreateOptions{}); err != nil {
		return err
	}
	if ok, state := pollUntil(time.Minute, 100*time.Millisecond, func() (bool, string) {
		d, err := c.AppsV1().Deployments(ns).Get(ctx, "ctwoc", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return d.Status.AvailableReplicas == 3, fmt.Sprintf("%d available", d.Status.AvailableReplicas)
	}); !ok {
		return fmt.Errorf("ctwoc never became available: %s", state)
	}
	return nil
}

// clusterSnapshot names every object of the kinds ship could touch in ns of
// one cluster with its resourceVersion: equal snapshots, nothing written.
func clusterSnapshot(t *testing.T, c *kubernetes.Clientset, ns string) string {
	t.Helper()
	ctx, list := context.Background(), metav1.ListOptions{}
	var lines []string
	add := func(kind string, m metav1.ObjectMeta) { lines = append(lines, kind+"/"+m.Name+"@"+m.ResourceVersion) }
	deployments, err1 := c.AppsV1().Deployments(ns).List(ctx, list)
	services, err2 := c.CoreV1().Services(ns).List(ctx, list)
	leases, err3 := c.CoordinationV1().Leases(ns).List(ctx, list)
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range deployments.Items {
		add("deployment", d.ObjectMeta)
	}
	for _, s := range services.Items {
		add("service", s.ObjectMeta)
	}
	for _, l := range leases.Items {
		add("lease", l.ObjectMeta)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// fleetSnapshots is clusterSnapshot of ns in each cluster of the fleet.
func fleetSnapshots(t *testing.T, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range fleetContexts {
		out[c] = clusterSnapshot(t, fleetEnv.clients[c], ns)
	}
	return out
}

// canaryOf returns the canary Deployment of ctwoc in one cluster, or nil.
func canaryOf(t *testing.T, name, ns string) *appsv1.Deployment {
	t.Helper()
	d, err := fleetEnv.clients[name].AppsV1().Deployments(ns).Get(context.Background(), "ctwoc-canary", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fleetLock is who holds the lock of ctwoc in one cluster ("" when free),
// and when its Lease was created (zero when there is none).
func fleetLock(t *testing.T, name, ns string) (string, time.Time) {
	t.Helper()
	lease, err := fleetEnv.clients[name].CoordinationV1().Leases(ns).Get(context.Background(), "kubectl-ship-ctwoc", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", time.Time{}
	}
	if err != nil {
		t.Fatal(err)
	}
	holder := ""
	if lease.Spec.HolderIdentity != nil {
		holder = *lease.Spec.HolderIdentity
	}
	return holder, lease.CreationTimestamp.Time
}
