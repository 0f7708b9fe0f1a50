package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Release is one application as kubectl-ship sees it: the stable Deployment,
// the canary beside it if one runs, and the Service that routes to both.
type Release struct {
	Stable  *appsv1.Deployment
	Canary  *appsv1.Deployment
	Service *corev1.Service
}

// New checks that the objects form a release and returns it. canary may be
// nil. services are the candidates: every Service of the namespace, or the
// one named with --service (explicit).
func New(stable, canary *appsv1.Deployment, services []corev1.Service, explicit bool) (*Release, error) {
	if canary != nil && !IsCanaryOf(canary, stable.Name) {
		return nil, fmt.Errorf("deployment %s exists but is not a canary of %s (it has no %s=%s label): rename or delete it",
			canary.Name, stable.Name, LabelRelease, stable.Name)
	}
	svc, err := routingService(stable, services, explicit)
	if err != nil {
		return nil, err
	}
	return &Release{Stable: stable, Canary: canary, Service: svc}, nil
}

// IsCanaryOf reports whether d is the canary Deployment of release name.
func IsCanaryOf(d *appsv1.Deployment, name string) bool {
	return d.Labels[LabelRelease] == name && d.Labels[LabelRole] == RoleCanary
}

// routingService picks the one Service whose selector matches the stable pod
// template, explaining what it considered when there is none or several.
func routingService(stable *appsv1.Deployment, services []corev1.Service, explicit bool) (*corev1.Service, error) {
	podLabels := labels.Set(stable.Spec.Template.Labels)
	var matches []*corev1.Service
	var rejected []string
	for i := range services {
		svc := &services[i]
		sel := svc.Spec.Selector
		switch {
		case len(sel) == 0:
			rejected = append(rejected, fmt.Sprintf("%s (no selector)", svc.Name))
		case !labels.SelectorFromSet(sel).Matches(podLabels):
			rejected = append(rejected, fmt.Sprintf("%s (selector %s)", svc.Name, labels.Set(sel)))
		default:
			matches = append(matches, svc)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case explicit:
		return nil, fmt.Errorf("service %s does not select the pods of deployment %s (pod labels %s)",
			rejected[0], stable.Name, podLabels)
	case len(matches) == 0 && len(rejected) == 0:
		return nil, fmt.Errorf("no service in namespace %s selects the pods of deployment %s: create one (kubectl expose deployment %s)",
			stable.Namespace, stable.Name, stable.Name)
	case len(matches) == 0:
		sort.Strings(rejected)
		return nil, fmt.Errorf("no service selects the pods of deployment %s (pod labels %s); considered: %s",
			stable.Name, podLabels, strings.Join(rejected, ", "))
	}
	names := make([]string, len(matches))
	for i, svc := range matches {
		names[i] = svc.Name
	}
	sort.Strings(names)
	return nil, fmt.Errorf("services %s all select the pods of deployment %s: choose one with --service",
		strings.Join(names, ", "), stable.Name)
}
