package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// StickyServices are the Services of the namespace that select the
// release's pods and that a canary made sticky (they keep their own session
// affinity in AnnotationSavedAffinity), sorted by name: also those --service
// left out.
func (r *Release) StickyServices() []*corev1.Service {
	pods := []labels.Set{labels.Set(r.Stable.Spec.Template.Labels)}
	if r.Canary != nil {
		pods = append(pods, labels.Set(r.Canary.Spec.Template.Labels))
	}
	var out []*corev1.Service
	for _, svc := range r.Services {
		if _, ok := svc.Annotations[AnnotationSavedAffinity]; ok {
			out = append(out, svc)
		}
	}
	for _, svc := range r.otherServices {
		if _, ok := svc.Annotations[AnnotationSavedAffinity]; ok && selectsAny(svc, pods) {
			out = append(out, svc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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
		owner, ok := OwnerOf(svc)
		ok = ok && owner == rel.Stable.Name
		if ok && (svc.Labels[LabelRole] == RolePreview || svc.Name == PreviewName(rel.Stable.Name)) {
			rel.Preview = svc // routes to the idle color, not a release Service
			continue
		}
		if ok && rel.setRouteService(svc) {
			continue // routes to one track only, for a route
		}
		switch {
		case rel.explicit != "" && svc.Name != rel.explicit:
			rel.otherServices[svc.Name] = svc
		case selectsAny(svc, pods):
			matches = append(matches, svc)
		default:
			rel.otherServices[svc.Name] = svc
			rejected = append(rejected, fmt.Sprintf("%s (selector %s)", svc.Name, describeSelector(svc)))
		}
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].Name < matches[j].Name })
	sort.Strings(rejected)
	stable := rel.Stable
	switch {
	case len(matches) > 0:
		return matches, nil
	case rel.explicit != "" && len(rejected) == 0:
		return nil, NotRelease("service %s not found in namespace %s", rel.explicit, stable.Namespace)
	case rel.explicit != "":
		return nil, NotRelease("service %s does not select the pods of deployment %s (pod labels %s)",
			rejected[0], stable.Name, pods[0])
	case len(rejected) == 0:
		return nil, NotRelease("no service in namespace %s selects the pods of deployment %s: create one (kubectl expose deployment %s)",
			stable.Namespace, stable.Name, stable.Name)
	}
	considered := strings.Join(rejected, ", ")
	if len(rejected) > 3 {
		considered = fmt.Sprintf("%s and %d more", strings.Join(rejected[:3], ", "), len(rejected)-3)
	}
	return nil, NotRelease("no service selects the pods of deployment %s (pod labels %s); considered: %s",
		stable.Name, pods[0], considered)
}

func selectsAny(svc *corev1.Service, pods []labels.Set) bool {
	if len(svc.Spec.Selector) == 0 {
		return false
	}
	// A Service's selector is a set of label pairs, every one of which the
	// pods must carry: compared as maps, with no selector built, as a
	// namespace's every Service may be weighed against every Deployment.
	for _, p := range pods {
		if carries(p, svc.Spec.Selector) {
			return true
		}
	}
	return false
}

// carries says whether set has every label pair of pairs.
func carries(set labels.Set, pairs map[string]string) bool {
	for k, v := range pairs {
		if w, ok := set[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func describeSelector(svc *corev1.Service) string {
	if len(svc.Spec.Selector) == 0 {
		return "none"
	}
	return labels.Set(svc.Spec.Selector).String()
}
