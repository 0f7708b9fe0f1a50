package route

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// TrackServices are the Services a route needs so that its weight is the
// weight that flows: one selecting only the canary's pods and, when the
// user's Service selects both tracks, one selecting only the stable pods.
// ship makes them for the release and removes them when it ends.
type TrackServices struct {
	// Service is the user's Service; canary and Stable are ship's, as
	// they should be (Stable is nil when Service itself selects only the
	// stable pods).
	Service, canary, Stable *corev1.Service
	// key is the label whose value tells the canary's pods apart.
	key string
}

// NewTrackServices derives the track Services from the user's Service and
// the label key whose value tells the canary's pods (canaryPods) apart.
// They record the route the release runs through.
func NewTrackServices(rel *release.Release, svc *corev1.Service, canaryPods map[string]string, key string, ref release.RouteRef) (*TrackServices, error) {
	stable := rel.Stable
	t := &TrackServices{Service: svc, key: key}
	selector := withKey(svc.Spec.Selector, key, canaryPods[key])
	t.canary = TrackService(rel, svc, release.CanaryName(stable.Name), release.RoleCanary, selector)
	t.canary.Annotations[release.AnnotationRoute] = ref.String()
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(canaryPods)) && rel.StableService == nil {
		return t, nil
	}
	value, ok := stable.Spec.Template.Labels[key]
	if !ok {
		return nil, fmt.Errorf("service %s selects the canary's pods too (selector %s), and deployment %s's pods carry no %s label that would tell them from the canary's: add %s: stable to its pod template, or use --route none",
			svc.Name, labels.Set(svc.Spec.Selector), stable.Name, key, key)
	}
	t.Stable = TrackService(rel, svc, release.StableServiceName(stable.Name), release.RoleStable, withKey(svc.Spec.Selector, key, value))
	return t, nil
}

// TrackService is a Service of the release selecting selector, with the
// ports of the user's Service, so that a route's backendRef port is the same.
func TrackService(rel *release.Release, svc *corev1.Service, name, role string, selector map[string]string) *corev1.Service {
	labels, annotations := release.OwnedBy(rel.Stable.Name, role)
	out := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: svc.Namespace, Labels: labels, Annotations: annotations},
		Spec:       corev1.ServiceSpec{Selector: selector},
	}
	for _, port := range svc.Spec.Ports {
		port.NodePort = 0 // a ClusterIP Service has none
		out.Spec.Ports = append(out.Spec.Ports, port)
	}
	return out
}

// Plan creates or updates the track Services, then waits until each has
// ready endpoints: the route must never send traffic to one with none.
func (t *TrackServices) Plan(rel *release.Release) ([]plans.Step, error) {
	return planServices(rel, servicePair{t.canary, rel.CanaryService}, servicePair{t.Stable, rel.StableService})
}

// servicePair is a Service of ship's as it should be, and as it is (nil
// when it does not exist yet).
type servicePair struct{ desired, current *corev1.Service }

// planServices creates or updates Services of ship's, then waits until each
// has ready endpoints.
func planServices(rel *release.Release, pairs ...servicePair) ([]plans.Step, error) {
	var steps, waits []plans.Step
	for _, pair := range pairs {
		if pair.desired == nil {
			continue
		}
		obj := pair.desired
		var step *plans.Step
		if pair.current == nil {
			if rel.Existing("Service", obj.Name) != nil {
				return nil, plans.InTheWay("service", obj.Name, rel.Stable.Name)
			}
			step = &plans.Step{Action: plans.Create, Object: obj, Operation: "created",
				Reason: fmt.Sprintf("select only the %s pods, for the route", obj.Labels[release.LabelRole])}
		} else {
			next := pair.current.DeepCopy()
			next.Spec.Selector = obj.Spec.Selector
			for k, v := range obj.Annotations {
				next.Annotations[k] = v
			}
			var err error
			if step, err = plans.PatchStep(pair.current, next, corev1.Service{}, "configured", "select only the "+obj.Labels[release.LabelRole]+" pods, for the route"); err != nil {
				return nil, err
			}
			obj = next
		}
		if step != nil {
			steps = append(steps, *step)
		}
		waits = append(waits, waitForTraffic(obj))
	}
	return append(steps, waits...), nil
}

// removeTrackServices deletes ship's track Services of rel.
func removeTrackServices(rel *release.Release) []plans.Step {
	var steps []plans.Step
	for _, svc := range []*corev1.Service{rel.CanaryService, rel.StableService} {
		if svc != nil {
			steps = append(steps, plans.Step{Action: plans.Delete, Object: svc, Operation: "deleted", Reason: "the route no longer sends it traffic"})
		}
	}
	return steps
}

// withKey is selector with key set to value.
func withKey(selector map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(selector)+1)
	for k, v := range selector {
		out[k] = v
	}
	out[key] = value
	return out
}
