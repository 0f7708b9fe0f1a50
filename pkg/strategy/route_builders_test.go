package strategy

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// rule is an HTTPRoute rule sending every request that matches to Service
// backend.
var rule = fixture.HTTPRouteRule

func apiGET() map[string]any {
	return map[string]any{"method": "GET", "path": map[string]any{"type": "PathPrefix", "value": "/api"}}
}

// newHTTPRoute is fixture's HTTPRoute, read.
func newHTTPRoute(name string, accepted bool, rules ...map[string]any) *release.HTTPRoute {
	route, err := release.NewHTTPRoute(fixture.NewHTTPRoute(name, accepted, rules...))
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
