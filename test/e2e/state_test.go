//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// The matrices read the cluster through client-go rather than a kubectl
// process per look: dozens of namespaces are checked at once on two cores.
var suiteClient = sync.OnceValues(func() (*kubernetes.Clientset, error) {
	config, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		return nil, err
	}
	config.QPS, config.Burst = 200, 400
	return kubernetes.NewForConfig(config)
})

func apiClient(t *testing.T) *kubernetes.Clientset {
	t.Helper()
	c, err := suiteClient()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// releaseView is what a release is made of, without what the controllers
// add: Deployments (name, ship's labels and annotations, replicas, selector,
// pod labels, images) and Services (selector, affinity, ship's annotations),
// one sorted line each. Two runs that converge give the same view.
func releaseView(t *testing.T, ns string) string {
	t.Helper()
	ctx := context.Background()
	deployments, err := apiClient(t).AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	services, err := apiClient(t).CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range deployments.Items {
		lines = append(lines, deploymentLine(&d))
	}
	for _, s := range services.Items {
		affinity := string(s.Spec.SessionAffinity)
		if c := s.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
			affinity += fmt.Sprintf("/%ds", *c.ClientIP.TimeoutSeconds)
		}
		lines = append(lines, fmt.Sprintf("service/%s selector=%s affinity=%s%s",
			s.Name, labels.Set(s.Spec.Selector), affinity, shipKeys(" ", s.Labels, s.Annotations)))
	}
	lines = append(lines, routeLines(t, ns)...)
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// routeLines are the namespace's HTTPRoutes (their spec) and Ingresses
// (their spec and annotations), one line each; none without the Gateway
// API's CRDs.
func routeLines(t *testing.T, ns string) []string {
	t.Helper()
	var lines []string
	for _, gvr := range []schema.GroupVersionResource{httpRoutes, ingressResource} {
		list, err := dynamicClient(t).Resource(gvr).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range list.Items {
			annotations := item.GetAnnotations()
			delete(annotations, "kubectl.kubernetes.io/last-applied-configuration") // names the namespace
			raw, err := json.Marshal([]any{annotations, item.Object["spec"]})
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, gvr.Resource+"/"+item.GetName()+" "+string(raw))
		}
	}
	return lines
}

func deploymentLine(d *appsv1.Deployment) string {
	var images []string
	for _, c := range d.Spec.Template.Spec.Containers {
		images = append(images, c.Name+"="+c.Image)
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	return fmt.Sprintf("deployment/%s replicas=%d selector=%s pods=%s images=%s%s",
		d.Name, replicas, metav1.FormatLabelSelector(d.Spec.Selector), labels.Set(d.Spec.Template.Labels),
		strings.Join(images, ","), shipKeys(" ", d.Labels, d.Annotations))
}

// shipKeys lists the labels and annotations kubectl-ship writes.
func shipKeys(prefix string, maps ...map[string]string) string {
	var keys []string
	for _, m := range maps {
		for k, v := range m {
			if strings.HasPrefix(k, "kubectl-ship.dev/") {
				keys = append(keys, k+"="+v)
			}
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	return prefix + strings.Join(keys, " ")
}

// lockHolder is who holds the lock of release name: "" when it is free
// (no Lease, or a Lease kept only for the release's record).
func lockHolder(t *testing.T, ns, name string) string {
	t.Helper()
	lease, err := apiClient(t).CoordinationV1().Leases(ns).Get(context.Background(), "kubectl-ship-"+name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// servedImages counts the Service's ready endpoints by the image of the pod
// behind each, as its EndpointSlices list them: what traffic really reaches.
func servedImages(t *testing.T, ns, service string) map[string]int {
	t.Helper()
	ctx := context.Background()
	slices, err := apiClient(t).DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
	if err != nil {
		t.Fatal(err)
	}
	pods, err := apiClient(t).CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]string{}
	for _, p := range pods.Items {
		images[p.Name] = p.Spec.Containers[0].Image
	}
	served := map[string]int{}
	for _, s := range slices.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && *ep.Conditions.Ready && ep.TargetRef != nil {
				served[images[ep.TargetRef.Name]]++
			}
		}
	}
	return served
}
