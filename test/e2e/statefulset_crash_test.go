//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// statefulView is what the crash matrix compares of StatefulSet db: its
// template and update strategy, whether ship's record is on it, each
// ordinal's image and revision, and the lock; routed, also the route's
// spec and the Services with the pods behind each.
func statefulView(t *testing.T, ns string, routed bool) string {
	t.Helper()
	spec := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
	recorded := strings.Contains(mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.annotations}"), "kubectl-ship")
	view := fmt.Sprintf("%s\nrecord %v\npods %s\nlock %q", spec, recorded, strings.Join(readStateful(t, ns).Pods, ", "), lockHolder(t, ns, "db"))
	if routed {
		view += "\nroute " + routeSpec(t, ns, "web")
		for _, svc := range strings.Fields(mustKubectl(t, "get", "services", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}")) {
			view += fmt.Sprintf("\nservice %s: %s", svc, endpointPods(t, ns, svc))
		}
	}
	return view
}

// settledView is view once it has not changed for a few reads (or is
// want): the pods follow the workload the command left.
func settledView(t *testing.T, view func() string, want string) string {
	t.Helper()
	last, same := "", 0
	_, got := pollUntil(60*time.Second, 300*time.Millisecond, func() (bool, string) {
		v := view()
		if v == last {
			same++
		} else {
			last, same = v, 0
		}
		return (want == "" && same >= 3) || v == want, v
	})
	return got
}

// TestStatefulSetCrashMatrix kills each StatefulSet verb right after each
// of its writes (KUBECTL_SHIP_CRASH_AFTER_STEP=N), then runs the same
// command again or the way back (abort): either must leave what an
// uninterrupted run leaves, from the StatefulSet and its pods, with the
// lock free. The cells run a few at once, each in its own namespace.
func TestStatefulSetCrashMatrix(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "frozen", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	abortDB := []string{"ship", "abort", "db"}
	cases := []workloadCrashCase{
		{name: "canary --replicas 1", args: []string{"ship", "canary", "db", "--image", db2, "--replicas", "1"}, recovery: abortDB},
		{name: "canary --steps 25,50", args: statefulSteps("--interval", "1s"), recovery: abortDB},
		{name: "canary --steps rolled back by a webhook (Parallel)", extra: "  podManagementPolicy: Parallel\n",
			args: statefulSteps("--interval", "1s", "--webhook", failing.URL), code: 4},
		{name: "promote", setup: [][]string{{"ship", "canary", "db", "--image", db2, "--replicas", "2"}}, args: []string{"ship", "promote", "db"}},
		{name: "abort, a canary pod not Ready (forced rollback)",
			setup: [][]string{{"ship", "canary", "db", "--image", "example/db:notready", "--timeout", "5s"}},
			args:  []string{"ship", "abort", "db", "--timeout", "60s"}},
		{name: "canary through a route", routed: true, args: []string{"ship", "canary", "db", "--image", db2, "--weight", "10", "--route", "httproute/web"}, recovery: abortDB},
		{name: "promote through a route", routed: true, setup: [][]string{{"ship", "canary", "db", "--image", db2, "--weight", "25", "--route", "httproute/web"}},
			args: []string{"ship", "promote", "db"}},
		{name: "abort through a route", routed: true, setup: [][]string{{"ship", "canary", "db", "--image", db2, "--weight", "25", "--route", "httproute/web"}},
			args: abortDB},
	}
	prepare := func(t *testing.T, c workloadCrashCase) string {
		ns := namespace(t)
		if c.routed {
			seedRoutedStatefulSet(t, ns)
		} else {
			seedStatefulSet(t, ns, 4, c.extra)
		}
		for _, args := range c.setup {
			runIn(t, ns, nil, args)
		}
		return ns
	}
	runCrashMatrix(t, "statefulset", 4, cases, prepare, func(t *testing.T, c workloadCrashCase, ns string) string { return statefulView(t, ns, c.routed) })
}
