package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Release is one application as kubectl-ship sees it: the stable Deployment
// (blue, in a blue-green release), the canary or green Deployment beside it
// when one exists, and the Services that route to them.
type Release struct {
	Stable   *appsv1.Deployment
	Canary   *appsv1.Deployment
	Green    *appsv1.Deployment
	Services []*corev1.Service
	// Preview is ship's Service routing to the idle color, if one was asked for.
	Preview *corev1.Service
	// explicit is set when the user named the Service with --service.
	explicit bool
}

// New checks that the objects form a release and returns it. owned are the
// Deployments ship created for it (canary, green). services are the
// candidates: every Service of the namespace, or the one named with
// --service (explicit). When no Service routes to it, the error says why and
// the release is still returned, with no Services, for listing.
func New(stable *appsv1.Deployment, owned []appsv1.Deployment, services []corev1.Service, explicit bool) (*Release, error) {
	rel := &Release{Stable: stable, explicit: explicit}
	for i := range owned {
		d := &owned[i]
		switch {
		case d.Name == CanaryName(stable.Name) && d.Labels[LabelRole] == RoleCanary:
			rel.Canary = d
		case d.Name == GreenName(stable.Name) && d.Labels[LabelRole] == RoleGreen:
			rel.Green = d
		}
	}
	var err error
	rel.Services, err = routingServices(rel, services)
	return rel, err
}

// Service returns the one Service of the release; a canary needs exactly one.
func (r *Release) Service() (*corev1.Service, error) {
	if len(r.Services) == 1 {
		return r.Services[0], nil
	}
	return nil, fmt.Errorf("services %s all select the pods of deployment %s: choose one with --service",
		r.ServiceNames(), r.Stable.Name)
}

// routingServices returns the Services whose selector matches the pods of
// the stable or the green Deployment, explaining what it considered when
// there is none.
func routingServices(rel *Release, services []corev1.Service) ([]*corev1.Service, error) {
	pods := []labels.Set{labels.Set(rel.Stable.Spec.Template.Labels)}
	if rel.Green != nil {
		pods = append(pods, labels.Set(rel.Green.Spec.Template.Labels))
	}
	var matches []*corev1.Service
	var rejected []string
	for i := range services {
		svc := &services[i]
		if svc.Labels[LabelRelease] == rel.Stable.Name && svc.Name == PreviewName(rel.Stable.Name) {
			rel.Preview = svc // routes to the idle color, not a release Service
			continue
		}
		if selectsAny(svc, pods) {
			matches = append(matches, svc)
		} else {
			rejected = append(rejected, fmt.Sprintf("%s (selector %s)", svc.Name, describeSelector(svc)))
		}
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].Name < matches[j].Name })
	sort.Strings(rejected)
	stable := rel.Stable
	switch {
	case len(matches) > 0:
		return matches, nil
	case rel.explicit:
		return nil, NotRelease("service %s does not select the pods of deployment %s (pod labels %s)",
			rejected[0], stable.Name, pods[0])
	case len(rejected) == 0:
		return nil, NotRelease("no service in namespace %s selects the pods of deployment %s: create one (kubectl expose deployment %s)",
			stable.Namespace, stable.Name, stable.Name)
	}
	return nil, NotRelease("no service selects the pods of deployment %s (pod labels %s); considered: %s",
		stable.Name, pods[0], strings.Join(rejected, ", "))
}

func selectsAny(svc *corev1.Service, pods []labels.Set) bool {
	if len(svc.Spec.Selector) == 0 {
		return false
	}
	selector := labels.SelectorFromSet(svc.Spec.Selector)
	for _, p := range pods {
		if selector.Matches(p) {
			return true
		}
	}
	return false
}

func describeSelector(svc *corev1.Service) string {
	if len(svc.Spec.Selector) == 0 {
		return "none"
	}
	return labels.Set(svc.Spec.Selector).String()
}
