package strategy

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

func backend(name string) networkingv1.IngressBackend {
	return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Name: "http"}}}
}

func userIngress() *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	path := func(p, svc string) networkingv1.HTTPIngressPath {
		return networkingv1.HTTPIngressPath{Path: p, PathType: &prefix, Backend: backend(svc)}
	}
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Annotations: map[string]string{"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To("nginx"),
			TLS:              []networkingv1.IngressTLS{{Hosts: []string{"web.example"}, SecretName: "web-tls"}},
			Rules: []networkingv1.IngressRule{
				{Host: "web.example", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{path("/", "web"), path("/db", "db")}}}},
				{Host: "db.example", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{path("/", "db")}}}},
			},
		},
	}
}

func TestPlanCanaryThroughIngressNginx(t *testing.T) {
	rel := routed(nil)
	rel.Services[0].Spec.Selector["track"] = "stable" // selects only the stable pods
	user := userIngress()
	rel.SetRoutes(nil, []networkingv1.Ingress{*user})
	req := CanaryRequest{Images: images("web:2"), Weight: 10, WeightSet: true, Route: route.Choice{Ref: ref("ingress/web")}, Header: header("X-Canary=always"), Cookie: "beta"}
	plan, err := planCanary(rel, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "create web-canary, wait web-canary, create svc/web-canary, wait svc/web-canary, create ing/web-canary" {
		t.Fatalf("steps: %s", got)
	}
	ing := plan.Steps[4].Object.(*networkingv1.Ingress)
	wantAnnotations := map[string]string{
		"nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "10",
		"nginx.ingress.kubernetes.io/canary-by-header": "X-Canary", "nginx.ingress.kubernetes.io/canary-by-header-value": "always",
		"nginx.ingress.kubernetes.io/canary-by-cookie": "beta",
	}
	if !apiequality.Semantic.DeepEqual(ing.Annotations, wantAnnotations) || ing.Labels[release.LabelRole] != release.RoleCanary {
		t.Errorf("annotations %v, labels %v", ing.Annotations, ing.Labels)
	}
	// Only the path to web, re-pointed; TLS and class kept.
	want := networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), TLS: user.Spec.TLS,
		Rules: []networkingv1.IngressRule{{Host: "web.example", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: user.Spec.Rules[0].HTTP.Paths[0].PathType, Backend: backend("web-canary")}}}}}}}
	if !apiequality.Semantic.DeepEqual(ing.Spec, want) {
		t.Errorf("spec:\n got %+v\nwant %+v", ing.Spec, want)
	}
	if !apiequality.Semantic.DeepEqual(user, userIngress()) {
		t.Error("planning changed the user's Ingress")
	}
	now := after(rel, plan)
	resize, err := planCanary(now, CanaryRequest{Images: images("web:2"), Weight: 20, WeightSet: true, WeightTotal: 1000})
	if err != nil || actions(resize) != "wait web-canary, wait svc/web-canary, patch ing/web-canary" {
		t.Fatalf("resize: %v, %s", err, actions(resize))
	}
	if a := resize.Steps[2].Object.(*networkingv1.Ingress).Annotations; a["nginx.ingress.kubernetes.io/canary-weight-total"] != "1000" || a["nginx.ingress.kubernetes.io/canary-by-cookie"] != "" {
		t.Errorf("resized annotations: %v", a)
	}
	abort, err := planAbort(now)
	if err != nil || actions(abort) != "wait svc/web, delete ing/web-canary, delete svc/web-canary, delete web-canary" {
		t.Errorf("abort: %v, %s", err, actions(abort))
	}
}

// The seed's Service selects both tracks and ingress-nginx sends the rest
// to it: the canary's pods are kept out of it (app: web-canary) instead.
func TestPlanCanaryThroughIngressKeepsTheCanaryOutOfTheService(t *testing.T) {
	rel := routed(nil)
	rel.SetRoutes(nil, []networkingv1.Ingress{*userIngress()})
	plan, err := planCanary(rel, CanaryRequest{Images: images("web:2"), Weight: 10, WeightSet: true, Route: route.Choice{Ref: ref("ingress/web")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "create web-canary, wait web-canary, create svc/web-canary, wait svc/web-canary, create ing/web-canary" {
		t.Fatalf("steps: %s", got)
	}
	if got := plan.Steps[0].Object.(*appsv1.Deployment).Spec.Template.Labels; got["app"] != "web-canary" || got["track"] != "canary" {
		t.Errorf("the canary's pods: %v", got)
	}
}
