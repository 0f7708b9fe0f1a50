package route

import (
	"fmt"
	"maps"

	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// ingress-nginx's canary annotations: a second Ingress for the same host and
// path, marked canary, takes the weight of the traffic (out of the total),
// and every request with the header or cookie.
const (
	nginxPrefix             = "nginx.ingress.kubernetes.io/"
	nginxCanary             = nginxPrefix + "canary"
	nginxCanaryWeight       = nginxPrefix + "canary-weight"
	nginxCanaryWeightTotal  = nginxPrefix + "canary-weight-total"
	nginxCanaryByHeader     = nginxPrefix + "canary-by-header"
	nginxCanaryHeaderValue  = nginxPrefix + "canary-by-header-value"
	nginxCanaryHeaderRegexp = nginxPrefix + "canary-by-header-pattern"
	nginxCanaryByCookie     = nginxPrefix + "canary-by-cookie"
	// ingressClassAnnotation chose the class before ingressClassName.
	ingressClassAnnotation = "kubernetes.io/ingress.class"
)

// ingressCanary plans the canary Ingress: a copy of the user's with only the
// paths (and default backend) that send traffic to the release's Service,
// pointed at the canary's Service, its TLS and class kept, and the canary
// annotations. The user's Ingress is never changed.
func ingressCanary(rel *release.Release, ing *networkingv1.Ingress, tracks *TrackServices, share Share) ([]plans.Step, error) {
	desired := canaryIngress(rel, ing, tracks.Service.Name, tracks.canary.Name, share)
	current := rel.CanaryIngress
	if current == nil {
		if rel.Ingress(desired.Name) != nil {
			return nil, plans.InTheWay("ingress", desired.Name, rel.Stable.Name)
		}
		return []plans.Step{{Action: plans.Create, Object: desired, Operation: "created",
			Reason: fmt.Sprintf("send %s of ingress %s's traffic to the canary", share, ing.Name)}}, nil
	}
	next := current.DeepCopy()
	next.Labels, next.Annotations, next.Spec = desired.Labels, desired.Annotations, desired.Spec
	if apiequality.Semantic.DeepEqual(next, current) {
		return nil, nil
	}
	step, err := plans.PatchStep(current, next, networkingv1.Ingress{}, "configured", fmt.Sprintf("send %s of ingress %s's traffic to the canary", share, ing.Name))
	if err != nil || step == nil {
		return nil, err
	}
	return []plans.Step{*step}, nil
}

// canaryIngress derives the canary Ingress from the user's.
func canaryIngress(rel *release.Release, ing *networkingv1.Ingress, service, canary string, share Share) *networkingv1.Ingress {
	labels, annotations := release.OwnedBy(rel.Stable.Name, release.RoleCanary)
	if class, ok := ing.Annotations[ingressClassAnnotation]; ok {
		annotations[ingressClassAnnotation] = class
	}
	maps.Copy(annotations, nginxAnnotations(share))
	out := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: release.CanaryName(rel.Stable.Name), Namespace: ing.Namespace, Labels: labels, Annotations: annotations},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ing.Spec.IngressClassName,
			TLS:              ing.DeepCopy().Spec.TLS,
			DefaultBackend:   repoint(ing.Spec.DefaultBackend, service, canary),
		},
	}
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		var paths []networkingv1.HTTPIngressPath
		for _, p := range rule.HTTP.Paths {
			if b := repoint(&p.Backend, service, canary); b != nil {
				p = *p.DeepCopy()
				p.Backend = *b
				paths = append(paths, p)
			}
		}
		if len(paths) > 0 {
			out.Spec.Rules = append(out.Spec.Rules, networkingv1.IngressRule{Host: rule.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}})
		}
	}
	return out
}

// repoint is a copy of backend sending to Service canary, when it sends to
// Service service; nil otherwise.
func repoint(backend *networkingv1.IngressBackend, service, canary string) *networkingv1.IngressBackend {
	if backend == nil || backend.Service == nil || backend.Service.Name != service {
		return nil
	}
	out := backend.DeepCopy()
	out.Service.Name = canary
	return out
}

// nginxAnnotations are the canary annotations for the weight and matches.
func nginxAnnotations(share Share) map[string]string {
	out := map[string]string{nginxCanary: "true", nginxCanaryWeight: fmt.Sprint(share.Weight)}
	if share.Total != 100 {
		out[nginxCanaryWeightTotal] = fmt.Sprint(share.Total)
	}
	if h := share.Header; h != nil {
		out[nginxCanaryByHeader] = h.Name
		if h.Type == "RegularExpression" {
			out[nginxCanaryHeaderRegexp] = h.Value
		} else {
			out[nginxCanaryHeaderValue] = h.Value
		}
	}
	if share.Cookie != "" {
		out[nginxCanaryByCookie] = share.Cookie
	}
	return out
}
