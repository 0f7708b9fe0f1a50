package gate

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// webCanary is release web in the seed's layout (Service web selecting
// app=web), its canary web-canary made by ship; route names the route ship
// recorded on web-canary's Service ("" for none), and selector is the
// user's Service's.
func webCanary(t *testing.T, route string, selector map[string]string) *release.Release {
	t.Helper()
	stable := fixture.NewDeployment("web").V()
	canaryPods := map[string]string{"app": "web", "track": "canary"}
	canary := fixture.NewDeployment("web-canary").WithSelector(canaryPods).WithPodLabels(canaryPods).
		WithLabels(map[string]string{release.LabelRelease: "web", release.LabelRole: release.RoleCanary}).V()
	services := []corev1.Service{*fixture.NewService("web").WithSelector(selector).V()}
	if route != "" {
		for _, role := range []string{release.RoleCanary, release.RoleStable} {
			services = append(services, *fixture.NewService("web-" + role).WithSelector(nil).
				WithLabels(map[string]string{release.LabelRelease: "web", release.LabelRole: role}).
				WithAnnotations(map[string]string{release.AnnotationRoute: route}).V())
		}
	}
	rel, err := release.New(stable, []appsv1.Deployment{*stable, *canary}, services, "")
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// endpoints indexes slices over the pods of 3 stable and n canary pods.
func endpoints(canaries int, slices ...discoveryv1.EndpointSlice) *release.Endpoints {
	pods := []corev1.Pod{stablePod("s1").V(), stablePod("s2").V(), stablePod("s3").V()}
	for _, name := range []string{"c1", "c2", "c3", "c4", "c5"}[:canaries] {
		pods = append(pods, canaryPod(name).V())
	}
	meta := make([]metav1.PartialObjectMetadata, len(pods))
	for i := range pods {
		meta[i].ObjectMeta = pods[i].ObjectMeta
	}
	return release.NewEndpoints(slices, meta)
}

// withRoute gives rel an HTTPRoute web splitting its rule between
// web-stable and web-canary at canary percent.
func withRoute(t *testing.T, rel *release.Release, canary int32) *release.Release {
	t.Helper()
	obj := unstructuredRoute{"web", canary}.object()
	route, err := release.NewHTTPRoute(&obj)
	if err != nil {
		t.Fatal(err)
	}
	rel.SetRoutes([]*release.HTTPRoute{route}, nil)
	return rel
}

// unstructuredRoute is HTTPRoute web of namespace ns, its one rule split
// between ship's Services of release (web-stable and web-canary), the
// canary getting canary percent.
type unstructuredRoute struct {
	release string
	canary  int32
}

func (r unstructuredRoute) object() unstructured.Unstructured {
	backend := func(name string, weight int32) any {
		return map[string]any{"name": name, "port": int64(80), "weight": int64(weight)}
	}
	return unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "web", "namespace": "ns"},
		"spec": map[string]any{"rules": []any{map[string]any{"backendRefs": []any{
			backend(r.release+"-stable", 100-r.canary), backend(r.release+"-canary", r.canary)}}}},
	}}
}

func TestTraffic(t *testing.T) {
	shared := map[string]string{"app": "web"}
	stableOnly := map[string]string{"app": "web", "track": "stable"}
	for _, tc := range []struct {
		name    string
		rel     func(t *testing.T) *release.Release
		ep      *release.Endpoints
		share   float64
		verdict Verdict
		reason  string
	}{
		{"the step's share of the pods", func(t *testing.T) *release.Release { return webCanary(t, "", shared) },
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3", "c1")), 25, Pass, "service web 25% canary"},
		// kubectl scale deployment web-canary --replicas 5 during a 25% hold.
		{"scaled by hand past the step", func(t *testing.T) *release.Release { return webCanary(t, "", shared) },
			endpoints(5, fixture.NewEndpointSlice("web", "s1", "s2", "s3", "c1", "c2", "c3", "c4", "c5")), 25, Fail,
			"service web sends 62.5% of its ready endpoints to the canary (5 of 8), and the step 25%"},
		{"a stable pod not ready: within the tolerance", func(t *testing.T) *release.Release { return webCanary(t, "", shared) },
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "c1")), 25, Pass, "service web 33.3% canary"},
		// A selector edited to match nothing.
		{"no ready endpoints", func(t *testing.T) *release.Release { return webCanary(t, "", shared) },
			endpoints(1, fixture.NewEndpointSlice("web")), 25, Fail, "service web has no ready endpoints"},
		{"a soak checks endpoints, not shares", func(t *testing.T) *release.Release { return webCanary(t, "", shared) },
			endpoints(5, fixture.NewEndpointSlice("web", "s1", "c1", "c2", "c3", "c4", "c5")), AnyShare, Pass, ""},
		{"through a route at the step", func(t *testing.T) *release.Release {
			return withRoute(t, webCanary(t, "httproute/web", stableOnly), 10)
		},
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-stable", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-canary", "c1")), 10, Pass, "httproute/web 10% canary"},
		// The user's Service selects only the stable pods: its share of
		// the canary is no measure of anything.
		{"through a route, the route's weight off the step", func(t *testing.T) *release.Release {
			return withRoute(t, webCanary(t, "httproute/web", stableOnly), 40)
		},
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-stable", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-canary", "c1")), 10, Fail,
			"httproute/web sends 40% to the canary, and the step 10%"},
		{"through a route to a canary without endpoints", func(t *testing.T) *release.Release {
			return withRoute(t, webCanary(t, "httproute/web", stableOnly), 10)
		},
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-stable", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-canary")), 10, Fail,
			"service web-canary has no ready endpoints, and httproute/web sends it 10%"},
		{"the route gone", func(t *testing.T) *release.Release { return webCanary(t, "httproute/web", stableOnly) },
			endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-stable", "s1"), fixture.NewEndpointSlice("web-canary", "c1")), 10, Fail,
			"httproute/web, the route the release runs through, was not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Traffic{Release: tc.rel(t), Endpoints: tc.ep, Role: release.RoleCanary, Share: tc.share}.Check()
			if r.Gate != TrafficGate || r.Verdict != tc.verdict || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("got %s, want %s with %q", r, tc.verdict, tc.reason)
			}
		})
	}
}

func TestBuiltInJudgesThePodsOfTheRoleByOwner(t *testing.T) {
	// Through a route, the user's Service selects only the stable pods:
	// the canary's pods are judged all the same, found by their owner.
	rel := withRoute(t, webCanary(t, "httproute/web", map[string]string{"app": "web", "track": "stable"}), 10)
	ep := endpoints(1, fixture.NewEndpointSlice("web", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-stable", "s1", "s2", "s3"), fixture.NewEndpointSlice("web-canary", "c1"))
	crashing := canaryPod("c1").NotReady(0).Waiting("CrashLoopBackOff", "").Restarted(6, "Error", 1).V()
	pods := []corev1.Pod{stablePod("s1").V(), stablePod("s2").V(), stablePod("s3").V(), crashing}
	b := &BuiltIn{Judged: "web-canary", Share: 10, Restarts: map[string]int32{"c1/app": 6}}
	got := b.Check(&release.Observed{Release: rel, Pods: pods, Endpoints: ep}, fixture.T0)
	if got[0].Verdict != Fail || got[0].Reason != "canary pod c1: container app waiting: CrashLoopBackOff" || got[1].Verdict != Pass {
		t.Errorf("got %s; %s", got[0], got[1])
	}
	// A judged role with no pods at all fails the hold, not its start.
	got = b.Check(&release.Observed{Release: rel, Pods: pods[:3], Endpoints: ep}, fixture.T0)
	if want := "no canary pods: deployment web-canary runs none"; got[0].Verdict != Fail || got[0].Reason != want {
		t.Errorf("got %s, want Fail %q", got[0], want)
	}
	if start := b.Starting(&release.Observed{Release: rel, Pods: pods[:3], Endpoints: ep}, fixture.T0); start.Verdict != Pass {
		t.Errorf("while the canary starts: %s", start)
	}
	// A pod that carries the canary's labels, of another owner, is no
	// canary pod.
	impostor := fixture.NewPod("x1", map[string]string{"app": "web", "track": "canary"}).OwnedBy("debug", "d3bu9").Waiting("CrashLoopBackOff", "").V()
	got = b.Check(&release.Observed{Release: rel, Pods: append(pods[:3:3], canaryPod("c1").V(), impostor), Endpoints: ep}, fixture.T0)
	if got[0].Verdict != Pass || got[0].Reason != "1 canary, 3 stable pods healthy" {
		t.Errorf("got %s", got[0])
	}
	b.Judged = "web-gone"
	if got := b.Check(&release.Observed{Release: rel, Pods: pods, Endpoints: ep}, fixture.T0); got[0].Verdict != Fail || got[1].Verdict != Fail {
		t.Errorf("a judged Deployment not in the release: %s; %s", got[0], got[1])
	}
}
