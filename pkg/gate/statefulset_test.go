package gate

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestStatefulBuiltIn(t *testing.T) {
	sts := fixture.NewStatefulSet("db").Rolling(1).V()
	other := fixture.NewStatefulSet("db").Rolling(1).WithUID("uid-other").V()
	healthy := func() []corev1.Pod {
		return []corev1.Pod{fixture.NewStatefulPod(sts, 0, "db-1").V(), fixture.NewStatefulPod(sts, 1, "db-1").V(), fixture.NewStatefulPod(sts, 2, "db-1").V(), fixture.NewStatefulPod(sts, 3, "db-2").V()}
	}
	tests := []struct {
		name           string
		pods           []corev1.Pod
		share          float64
		pods1, traffic string
	}{
		{"healthy at 25%", healthy(), 25,
			"pass 1 canary, 3 stable pods healthy", "pass statefulset db 25% canary (1 of 4 ready pods)"},
		{"a canary pod not Ready past its grace", append(healthy()[:3], fixture.NewStatefulPod(sts, 3, "db-2").NotReady(0).V()), 25,
			"fail canary pod db-3: not Ready for 2m0s (grace 1m0s)", "fail statefulset db 0% canary (0 of 3 ready pods), and the step 25%"},
		{"a stable pod crash-looping", append([]corev1.Pod{fixture.NewStatefulPod(sts, 0, "db-1").Waiting("CrashLoopBackOff", "").V()}, healthy()[1:]...), 25,
			"fail stable pod db-0: container app waiting: CrashLoopBackOff", "pass statefulset db 25% canary (1 of 4 ready pods)"},
		// The canary is the update revision's pods of this StatefulSet (by
		// UID): none is no pass, whatever another owner's pods run.
		{"no canary pods", append(healthy()[:3], fixture.NewStatefulPod(other, 3, "db-2").V()), 25,
			"fail no canary pods: statefulset db on revision db-2 runs none", "fail statefulset db 0% canary (0 of 3 ready pods), and the step 25%"},
		{"no pods at all", nil, 25,
			"fail no canary pods: statefulset db on revision db-2 runs none", "fail statefulset db has no ready pods"},
		{"a share off the step", healthy(), 50,
			"pass 1 canary, 3 stable pods healthy", "fail statefulset db 25% canary (1 of 4 ready pods), and the step 50%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &StatefulBuiltIn{Share: tc.share, Grace: time.Minute}
			got := b.Check(sts, tc.pods, fixture.T0.Add(2*time.Minute))
			if len(got) != 2 || verdict(got[0]) != tc.pods1 || verdict(got[1]) != tc.traffic {
				t.Errorf("got %+v\nwant %q, %q", got, tc.pods1, tc.traffic)
			}
		})
	}
	// While the canary starts, its lack of pods is no failure yet.
	b := &StatefulBuiltIn{Share: 25, Grace: time.Minute}
	if r := b.Starting(sts, healthy()[:3], fixture.T0); r.Verdict != Pass {
		t.Errorf("starting: %+v", r)
	}
}

// verdict is a result as "pass REASON".
func verdict(r Result) string { return strings.ToLower(string(r.Verdict)) + " " + r.Reason }

// Through a route, the traffic gate judges the route's weights and the
// ready pods of the revisions ship's Services select; a route not read is
// no pass.
func TestStatefulBuiltInThroughARoute(t *testing.T) {
	sts := fixture.NewStatefulSet("db").Rolling(2).V()
	ref := release.RouteRef{Kind: release.KindHTTPRoute, Namespace: "ns", Name: "web"}
	route := func(canary int32) *release.HTTPRoute {
		obj := unstructuredRoute{"db", canary}.object()
		r, err := release.NewHTTPRoute(&obj)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	pods := func(canaryReady bool) []corev1.Pod {
		canary := fixture.NewStatefulPod(sts, 3, "db-2")
		if !canaryReady {
			canary = canary.NotReady(0)
		}
		return []corev1.Pod{fixture.NewStatefulPod(sts, 0, "db-1").V(), fixture.NewStatefulPod(sts, 1, "db-1").V(),
			fixture.NewStatefulPod(sts, 2, "db-2").V(), canary.V()}
	}
	tests := []struct {
		name    string
		seen    RouteSeen
		pods    []corev1.Pod
		traffic string
	}{
		{"the step's weight", RouteSeen{Ref: ref, Route: route(10)}, pods(true),
			"pass httproute/ns/web 10% canary (2 ready canary pods, 2 stable)"},
		// Half the pods carry a tenth of the traffic: the route, not the
		// pods, says the canary's share.
		{"a weight off the step", RouteSeen{Ref: ref, Route: route(40)}, pods(true),
			"fail httproute/ns/web sends 40% to the canary, and the step 10%"},
		{"no ready canary pod", RouteSeen{Ref: ref, Route: route(10)}, append(pods(false)[:2], pods(false)[3]),
			"fail service db-canary has no ready pod of revision db-2, and httproute/ns/web sends it 10%"},
		{"the route gone", RouteSeen{Ref: ref}, pods(true),
			"fail httproute/ns/web, the route the canary runs through, was not found"},
		{"the route not read", RouteSeen{Ref: ref, Err: errors.New("connection refused")}, pods(true),
			"inconclusive reading httproute/ns/web: connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &StatefulBuiltIn{Share: 10, Grace: time.Minute}
			got := b.CheckRouted(sts, tc.pods, tc.seen, fixture.T0.Add(2*time.Minute))
			if len(got) != 2 || verdict(got[1]) != tc.traffic {
				t.Errorf("got %+v\nwant traffic %q", got, tc.traffic)
			}
		})
	}
}
