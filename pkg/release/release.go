package release

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	// explicit is the Service the user named with --service, if any.
	explicit string
	// Autoscalers are the HorizontalPodAutoscalers that scale a Deployment of
	// the release, when the planner asked for them.
	Autoscalers []*autoscalingv2.HorizontalPodAutoscaler
	// Routes are the routes read for the planner, and ship's Services for them.
	Routes
	// others are the namespace's Deployments and Services that are not part
	// of the release, by name: what a new object's name may collide with.
	otherDeployments map[string]*appsv1.Deployment
	otherServices    map[string]*corev1.Service
	// handMade is the canary or green recognised beside the stable
	// Deployment that kubectl-ship neither created nor adopted (handmade.go).
	handMade *appsv1.Deployment
	// record is the way back of a route, as the release's lock keeps it
	// (see Recorded).
	record *RouteRecord
	// routesRead are the kinds and namespaces of routes read (see
	// MarkRoutesRead).
	routesRead map[string]bool
	// memberOf names the Deployment whose hand-made canary or green the
	// stable one itself looks like: it is no release of its own.
	memberOf string
}

// New checks that the objects form a release and returns it. deployments
// are those of the namespace (the canary and green ship created for it among
// them); services are those of the namespace, of which the release's are
// those that select its pods, or only the one named with --service
// (explicit). When no Service routes to it, the error says why and the
// release is still returned, with no Services, for listing.
func New(stable *appsv1.Deployment, deployments []appsv1.Deployment, services []corev1.Service, explicit string) (*Release, error) {
	return NewChosen(stable, deployments, services, Choice{Service: explicit})
}

// NewChosen is New with what the user named of the release: its Service,
// and the canary or green made by hand when the layout alone does not tell
// (see recognise). A release with no canary or green of kubectl-ship's
// takes one made by hand: a Deployment its Services also route to (a
// canary), or one whose pods differ from the stable pods only in the label
// the Services switch on (a green).
func NewChosen(stable *appsv1.Deployment, deployments []appsv1.Deployment, services []corev1.Service, choice Choice) (*Release, error) {
	rel := &Release{Stable: stable, explicit: choice.Service, otherDeployments: map[string]*appsv1.Deployment{}, otherServices: map[string]*corev1.Service{}}
	for i := range deployments {
		d := &deployments[i]
		owner, _ := OwnerOf(d)
		switch {
		case d.Name == stable.Name:
		// ship names what it creates NAME-canary and NAME-green; what it
		// adopted keeps the name it was given.
		case owner == stable.Name && d.Labels[LabelRole] == RoleCanary && (rel.Canary == nil || d.Name == CanaryName(stable.Name)):
			rel.keepOther(rel.Canary)
			rel.Canary = d
		case owner == stable.Name && d.Labels[LabelRole] == RoleGreen && (rel.Green == nil || d.Name == GreenName(stable.Name)):
			rel.keepOther(rel.Green)
			rel.Green = d
		default:
			rel.otherDeployments[d.Name] = d
		}
	}
	return rel, rel.recognise(services, choice)
}

// keepOther files a Deployment that turned out not to be the release's
// among the others.
func (r *Release) keepOther(d *appsv1.Deployment) {
	if d != nil {
		r.otherDeployments[d.Name] = d
	}
}

// Existing returns the Deployment or Service of that name in the namespace
// that is not part of the release, or nil: an object a plan must not create
// over.
func (r *Release) Existing(kind, name string) metav1.Object {
	switch {
	case kind == "Deployment" && r.otherDeployments[name] != nil:
		return r.otherDeployments[name]
	case kind == "Service" && r.otherServices[name] != nil:
		return r.otherServices[name]
	}
	return nil
}

// Service returns the one Service of the release; a canary needs exactly one.
func (r *Release) Service() (*corev1.Service, error) {
	if len(r.Services) == 1 {
		return r.Services[0], nil
	}
	return nil, fmt.Errorf("services %s all select the pods of deployment %s: choose one with --service",
		r.ServiceNames(), r.Stable.Name)
}

// SetAutoscalers keeps, of the namespace's HorizontalPodAutoscalers, those
// that scale a Deployment of the release.
func (r *Release) SetAutoscalers(hpas []autoscalingv2.HorizontalPodAutoscaler) {
	r.Autoscalers = nil
	for i := range hpas {
		if r.autoscaled(&hpas[i]) {
			r.Autoscalers = append(r.Autoscalers, &hpas[i])
		}
	}
}

func (r *Release) autoscaled(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	ref := hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" {
		return false
	}
	for _, d := range []*appsv1.Deployment{r.Stable, r.Canary, r.Green} {
		if d != nil && d.Name == ref.Name {
			return true
		}
	}
	return false
}

// AutoscalerOf returns the HorizontalPodAutoscaler that scales d, or nil.
func (r *Release) AutoscalerOf(d *appsv1.Deployment) *autoscalingv2.HorizontalPodAutoscaler {
	for _, hpa := range r.Autoscalers {
		if hpa.Spec.ScaleTargetRef.Name == d.Name {
			return hpa
		}
	}
	return nil
}
