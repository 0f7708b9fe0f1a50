package route

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// ForStatefulSet is the HTTPRoute a StatefulSet's canary runs through, the
// one named, else the one recorded, else the only HTTPRoute of its
// namespace that sends traffic to a Service of its pods (none: nil, the
// share of the pods), and the Service of its pods that the route sends
// traffic to (before ship changed it).
func ForStatefulSet(sts *appsv1.StatefulSet, rel *release.Release, choice Choice) (*corev1.Service, *Target, error) {
	ref, routed := rel.RecordedRoute()
	if choice.None {
		_, err := ForCanary(rel, nil, choice)
		return nil, nil, err
	}
	if choice.Ref != nil {
		ref = *choice.Ref
	} else if !routed {
		services := make([]string, len(rel.Services))
		for i, svc := range rel.Services {
			services[i] = svc.Name
		}
		found, err := discover(rel, services...)
		if found == nil {
			return nil, nil, err
		}
		ref = found.Ref(sts.Namespace)
	}
	if ref.Kind != release.KindHTTPRoute {
		return nil, nil, fmt.Errorf("statefulset %s: --route %s: a StatefulSet's canary runs through an HTTPRoute (--route httproute/NAME), or takes its share of the pods (--route none)", sts.Name, ref.Relative(sts.Namespace))
	}
	route := rel.HTTPRoute(ref)
	if route == nil {
		return nil, nil, fmt.Errorf("httproute %s not found in namespace %s", ref.Name, ref.In(sts.Namespace).Namespace)
	}
	var rules []any
	if rec, ok := rel.Recorded(release.RoleCanary); ok {
		rules = rec.Rules
	}
	svc := routedService(rel, route, rules)
	if svc == nil {
		svc = routedService(rel, route, httproute.RulesOf(route.Object))
	}
	if svc == nil {
		selecting := rel.ServiceNames()
		if selecting == "" {
			selecting = "none"
		}
		return nil, nil, fmt.Errorf("httproute %s does not send traffic to a service of statefulset %s (its backends there: %s; services selecting its pods: %s)",
			route.Name(), sts.Name, listOrNone(route.Services(sts.Namespace)), selecting)
	}
	target, err := ForCanary(rel, svc, choice)
	return svc, target, err
}
