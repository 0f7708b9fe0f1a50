package release

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// routeTo is an HTTPRoute of namespace ns attached to Gateway gw, with a
// header rule to web-canary and a rule splitting 95/5 between web-stable and
// web-canary; accepted says whether gw accepted it.
func routeTo(accepted bool) *HTTPRoute {
	ref := func(name string, weight int64) any {
		return map[string]any{"group": "", "kind": "Service", "name": name, "port": int64(80), "weight": weight}
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "web", "namespace": "ns"},
		"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "gw"}}, "rules": []any{
			map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"},
				"headers": []any{map[string]any{"type": "RegularExpression", "name": "X-Canary", "value": "^y"}}}},
				"backendRefs": []any{ref("web-canary", 1)}},
			map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/api"}, "method": "GET"}},
				"backendRefs": []any{ref("web-stable", 95), ref("web-canary", 5)}},
		}},
	}}
	if accepted {
		obj.Object["status"] = map[string]any{"parents": []any{map[string]any{"parentRef": map[string]any{"name": "gw"}, "controllerName": "x",
			"conditions": []any{map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}}}}}
	}
	route, err := NewHTTPRoute(obj)
	if err != nil {
		panic(err)
	}
	return route
}

func TestSummarizeShowsTheRoute(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	canary := owned(fixture.NewDeployment("web-canary").WithReplicas(1).WithSelector(map[string]string{"app": "web", "track": "canary"}).WithPodLabels(map[string]string{"app": "web", "track": "canary"}).V(), "web", RoleCanary)
	track := func(name, role string) corev1.Service {
		svc := *fixture.NewService(name).WithSelector(map[string]string{"app": "web", "track": role}).V()
		svc.Labels = map[string]string{LabelRelease: "web", LabelRole: role}
		svc.Annotations = map[string]string{AnnotationRoute: "httproute/web"}
		return svc
	}
	for _, accepted := range []bool{false, true} {
		rel, err := New(stable, []appsv1.Deployment{canary}, []corev1.Service{*fixture.NewService("web").V(), track("web-canary", RoleCanary), track("web-stable", RoleStable)}, "")
		if err != nil || rel.CanaryService == nil || rel.StableService == nil || len(rel.Services) != 1 {
			t.Fatalf("ship's Services are not the release's: %v, %v", rel.Services, err)
		}
		rel.SetRoutes([]*HTTPRoute{routeTo(accepted)}, nil)
		st := Summarize(rel, NewEndpoints(nil, nil))
		if len(st.Routes) != 1 {
			t.Fatalf("routes: %+v", st.Routes)
		}
		r := st.Routes[0]
		if !r.Drives || r.CanaryWeight == nil || *r.CanaryWeight != 5 || len(r.Parents) != 1 || r.Parents[0].Accepted != accepted {
			t.Errorf("route %+v", r)
		}
		if got := strings.Join(r.Rules[0].Matches, ";") + " " + strings.Join(r.Rules[1].Matches, ";"); got != "PathPrefix /, header X-Canary~^y PathPrefix /api, GET" {
			t.Errorf("matches: %s", got)
		}
		if b := r.Rules[1].Backends; b[0].Role != RoleStable || b[0].Percent != 95 || b[1].Role != RoleCanary || b[1].Percent != 5 {
			t.Errorf("backends: %+v", b)
		}
		warned := strings.Contains(strings.Join(st.Warnings, "\n"), "httproute web: the route says 5% but no gateway has accepted it")
		if warned == accepted {
			t.Errorf("accepted %v: warnings %v", accepted, st.Warnings)
		}
	}
}

// A StatefulSet's canary through a route shows the route, ship's Services
// by role and the canary's weight; a route gone says so.
func TestAddStatefulRoute(t *testing.T) {
	ref := RouteRef{Kind: KindHTTPRoute, Name: "web"}
	st := &Status{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"}}
	AddStatefulRoute(st, ref, routeTo(true))
	if len(st.Routes) != 1 || !st.Routes[0].Drives || st.Routes[0].CanaryWeight == nil || *st.Routes[0].CanaryWeight != 5 {
		t.Fatalf("routes = %+v", st.Routes)
	}
	if b := st.Routes[0].Rules[1].Backends; b[0].Role != RoleStable || b[1].Role != RoleCanary || len(st.Warnings) != 0 {
		t.Errorf("backends = %+v, warnings %v", b, st.Warnings)
	}
	gone := &Status{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"}}
	AddStatefulRoute(gone, ref, nil)
	if len(gone.Routes) != 1 || !gone.Routes[0].Missing || len(gone.Warnings) != 1 || !strings.HasPrefix(gone.Warnings[0], "httproute/web, which the canary of statefulset web runs through, no longer exists") {
		t.Errorf("gone: %+v %v", gone.Routes, gone.Warnings)
	}
}

// list shows a StatefulSet canary through an HTTPRoute with the route's
// weights, from the route ship's canary Service records and the routes
// list read: none when they were not read, or not in that namespace; the
// route gone when its namespace was read without it.
func TestAddStatefulSetsThroughARoute(t *testing.T) {
	db := fixture.NewStatefulSet("db").WithReplicas(4).WithImage("db:2").WithPartition(3).
		WithAnnotations(map[string]string{AnnotationStatefulCanary: `{"template":{"spec":{"containers":[{"name":"db","image":"db:1"}]}},"partition":0}`}).V()
	canary := fixture.NewService("db-canary").WithLabels(map[string]string{LabelRelease: "db", LabelRole: RoleCanary}).
		WithAnnotations(map[string]string{AnnotationRoute: "httproute/web"}).V()
	route, err := NewHTTPRoute(fixture.NewHTTPRoute("web", true, fixture.HTTPRouteSplit("db-stable", 90, "db-canary", 10)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		routes *ListedRoutes
		want   string
	}{
		{"the route read", &ListedRoutes{Namespace: fixture.Namespace, HTTPRoutes: []*HTTPRoute{route}}, "httproute/web 10"},
		{"every namespace read", &ListedRoutes{HTTPRoutes: []*HTTPRoute{route}}, "httproute/web 10"},
		{"no route read", nil, ""},
		{"not the route's namespace", &ListedRoutes{Namespace: "other", HTTPRoutes: []*HTTPRoute{}}, ""},
		{"the route gone", &ListedRoutes{Namespace: fixture.Namespace, HTTPRoutes: []*HTTPRoute{}}, "httproute/web gone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			list := &StatusList{}
			AddStatefulSets(list, []appsv1.StatefulSet{*db}, []corev1.Service{*canary}, c.routes, labels.Everything())
			got := ""
			for _, r := range list.Items[0].Routes {
				got = r.Kind + "/" + r.Name
				switch {
				case r.Missing:
					got += " gone"
				case r.CanaryWeight != nil:
					got += fmt.Sprintf(" %g", *r.CanaryWeight)
				}
			}
			if got = strings.ToLower(got); got != c.want {
				t.Errorf("routes = %q, want %q", got, c.want)
			}
		})
	}
}
