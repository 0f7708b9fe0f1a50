package release

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// BenchmarkSummarizeAll is `list` at 1,000 releases of 3 pods each, with a
// Service and an EndpointSlice per release.
func BenchmarkSummarizeAll(b *testing.B) {
	var deployments []appsv1.Deployment
	var services []corev1.Service
	var slices []discoveryv1.EndpointSlice
	var pods []metav1.PartialObjectMetadata
	for i := range 1000 {
		name := fmt.Sprintf("app-%04d", i)
		podLabels := map[string]string{"app": name}
		deployments = append(deployments, *fixture.NewDeployment(name).AppOnly().V())
		services = append(services, *fixture.NewService(name).V())
		var names []string
		for p := range 3 {
			names = append(names, fmt.Sprintf("%s-%d", name, p))
			pods = append(pods, pod(names[p], name, podLabels))
		}
		slices = append(slices, fixture.NewEndpointSlice(name, names...))
	}
	b.ReportAllocs()
	for b.Loop() {
		if list := SummarizeAll(deployments, services, slices, pods, labels.Everything(), nil); len(list.Items) != 1000 {
			b.Fatalf("%d releases", len(list.Items))
		}
	}
}

// BenchmarkNew is the read model of `status` for one release in a
// namespace of 1,000, each behind a Service of its own.
func BenchmarkNew(b *testing.B) {
	var deployments []appsv1.Deployment
	var services []corev1.Service
	for i := range 1000 {
		name := fmt.Sprintf("app-%04d", i)
		deployments = append(deployments, *fixture.NewDeployment(name).AppOnly().V())
		services = append(services, *fixture.NewService(name).V())
	}
	stable := &deployments[500]
	b.ReportAllocs()
	for b.Loop() {
		if rel, err := New(stable, deployments, services, ""); err != nil || len(rel.Services) != 1 {
			b.Fatalf("%v, %d services", err, len(rel.Services))
		}
	}
}
