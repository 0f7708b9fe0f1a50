package strategy

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// rule is an HTTPRoute rule as the API server stores it (defaults filled
// in) sending every request that matches to Service backend on port 80.
func rule(backend string, matches ...map[string]any) map[string]any {
	var m []any
	for _, x := range matches {
		m = append(m, x)
	}
	if len(m) == 0 {
		m = []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}}
	}
	return map[string]any{
		"matches":     m,
		"backendRefs": []any{map[string]any{"group": "", "kind": "Service", "name": backend, "port": int64(80), "weight": int64(1)}},
	}
}

func apiGET() map[string]any {
	return map[string]any{"method": "GET", "path": map[string]any{"type": "PathPrefix", "value": "/api"}}
}

// newHTTPRoute builds an HTTPRoute of namespace ns with rules, attached to
// Gateway gw; accepted says whether gw accepted it.
func newHTTPRoute(name string, accepted bool, rules ...map[string]any) *release.HTTPRoute {
	var list []any
	for _, r := range rules {
		list = append(list, r)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": name, "namespace": "ns", "resourceVersion": "11"},
		"spec":     map[string]any{"parentRefs": []any{map[string]any{"name": "gw"}}, "rules": list},
	}}
	if accepted {
		obj.Object["status"] = map[string]any{"parents": []any{map[string]any{
			"parentRef": map[string]any{"name": "gw"}, "controllerName": "example.com/gateway",
			"conditions": []any{map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
				"lastTransitionTime": "2026-01-01T00:00:00Z"}},
		}}}
	}
	route, err := release.NewHTTPRoute(obj)
	if err != nil {
		panic(err)
	}
	return route
}

// routed is the seed's release with the HTTPRoutes given.
func routed(canary *appsv1.Deployment, routes ...*release.HTTPRoute) *release.Release {
	rel := newRelease(newDeployment("web", "web:1", 3).v(), canary)
	rel.SetRoutes(routes, nil)
	return rel
}

// after is rel as plan leaves it: its creates, patches and deletes applied
// to the canary, ship's Services and the routes (the API server's defaults
// aside).
func after(rel *release.Release, plan plans.Plan) *release.Release {
	next := *rel
	next.HTTPRoutes = append([]*release.HTTPRoute(nil), rel.HTTPRoutes...)
	for _, step := range plan.Steps {
		del := step.Action == plans.Delete
		switch obj := step.Object.(type) {
		case *appsv1.Deployment:
			if obj.Name == release.CanaryName(rel.Stable.Name) {
				next.Canary = nilIf(del, obj)
			} else if step.Action == plans.Patch {
				next.Stable = obj
			}
		case *corev1.Service:
			switch obj.Labels[release.LabelRole] {
			case release.RoleCanary:
				next.CanaryService = nilIf(del, obj)
			case release.RoleStable:
				next.StableService = nilIf(del, obj)
			case release.RoleGreen:
				next.GreenService = nilIf(del, obj)
			}
		case *networkingv1.Ingress:
			next.CanaryIngress = nilIf(del, obj)
		case *unstructured.Unstructured:
			for i, r := range next.HTTPRoutes {
				if r.Name() == obj.GetName() {
					next.HTTPRoutes[i], _ = release.NewHTTPRoute(obj)
				}
			}
		}
	}
	return &next
}

func nilIf[T any](cond bool, v *T) *T {
	if cond {
		return nil
	}
	return v
}

// rulesJSON is a route's rules as JSON, for comparing.
func rulesJSON(route *release.HTTPRoute) string {
	raw, _ := json.Marshal(httproute.RulesOf(route.Object))
	return string(raw)
}
