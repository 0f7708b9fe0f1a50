//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// routedSteps are the flags of a StatefulSet db's progression through
// httproute web: 10% then 50% of its traffic, each held while the gates are
// checked every second.
func routedSteps(steps string, extra ...string) []string {
	return append([]string{"ship", "canary", "db", "--image", db2, "--route", "httproute/web", "--steps", steps,
		"--check-every", "1s", "--ready-grace", "3s"}, extra...)
}

// canary --steps through an HTTPRoute on a StatefulSet: each step sizes
// the canary's pods to carry its weight, and the route's weights are the
// step's exactly, the traffic gate judging them; killed (-9) in a hold,
// the same command resumes there; the route never points at a Service
// without ready endpoints, and the promotion gives it back byte for byte.
func TestStatefulSetStepsThroughAnHTTPRoute(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedRoutedStatefulSet(t, ns)
	before := routeSpec(t, ns, "web")
	watcher := watchRouteBackends(t, ns, "db")

	first := startHoldingRelease(t, ns, "db", routedSteps("10,50,pause", "--interval", "60s"))
	if got, want := routeWeights(t, ns), "db-stable=90 db-canary=10 |db-stable=90 db-canary=10 |other=1 |"; got != want {
		t.Errorf("route weights at step 1: %q, want %q", got, want)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	eventuallyTracked(t, ns, "db-3", "db-0 db-1 db-2")
	_ = first.cmd.Process.Kill()
	_ = first.cmd.Wait()

	// Resumed at step 1's hold; step 2's two pods carry 50%, and the
	// pause after it leaves the canary there for a person.
	run := startIn(t, ns, routedSteps("10,50,pause", "--interval", "3s"))
	eventually(t, "the pause after step 2", func() (bool, string) {
		st := shipStatus(t, ns, "db")
		return st.Progression.Phase == "Paused", st.Progression.Phase
	})
	if got, want := routeWeights(t, ns), "db-stable=50 db-canary=50 |db-stable=50 db-canary=50 |other=1 |"; got != want {
		t.Errorf("route weights at step 2: %q, want %q", got, want)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db2+" update", "db-3="+db2+" update")
	eventuallyTracked(t, ns, "db-2 db-3", "db-0 db-1")
	// status shows the route the canary runs through and its weights, as
	// for a Deployment's routed canary.
	status := mustShip(t, ns, "status", "db").stdout
	for _, want := range []string{"httproute/web (drives the release)", "db-stable (stable) 50%, db-canary (canary) 50%"} {
		if !strings.Contains(status, want) {
			t.Errorf("status should show %q:\n%s", want, status)
		}
	}
	if got := mustShip(t, ns, "status", "db", "-o", "jsonpath={.routes[0].canaryWeight}").stdout; got != "50" {
		t.Errorf("status -o jsonpath canaryWeight = %q, want 50", got)
	}
	mustShip(t, ns, "approve", "db")
	res := run.wait(t)
	for _, want := range []string{"holding step 1 of 3 (10%)", "traffic: Pass: httproute/web 10% canary (1 ready canary pod, 3 stable)",
		"holding step 2 of 3 (50%)", "traffic: Pass: httproute/web 50% canary (2 ready canary pods, 2 stable)"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the rerun should say %q:\n%s", want, res.stderr)
		}
	}
	if res.code != 0 || !strings.HasSuffix(res.stdout, "statefulset.apps/db promoted\n") {
		t.Errorf("exit %d, stdout %q", res.code, res.stdout)
	}
	if after := routeSpec(t, ns, "web"); after != before {
		t.Errorf("after the promotion the route's spec differs:\n got %s\nwant %s", after, before)
	}
	assertNoShipServices(t, ns)
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
	watcher.assertAlwaysServed(t)
}

// A gate that fails in a routed StatefulSet's hold rolls back exactly as
// abort does (the route first, byte for byte, then ship's Services, then
// the pods) and exits 4; abort from another shell makes the holder give
// way the same; a step the pods cannot carry is refused before anything.
func TestStatefulSetStepsThroughAnHTTPRouteRollBack(t *testing.T) {
	t.Parallel()
	t.Run("a canary pod breaks", func(t *testing.T) {
		ns := namespace(t)
		seedRoutedStatefulSet(t, ns)
		before := routeSpec(t, ns, "web")
		template := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
		run := startHoldingRelease(t, ns, "db", routedSteps("10,50", "--interval", "60s", "--failure-limit", "0"))
		update := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.status.updateRevision}")
		breakPods(t, ns, "controller-revision-hash="+update)
		res := run.wait(t)
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: canary pod db-3: ") || !strings.Contains(res.stderr, "forced rollback") {
			t.Errorf("want exit 4, the canary pod named, its forced rollback:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if after := routeSpec(t, ns, "web"); after != before {
			t.Errorf("after the rollback the route's spec differs:\n got %s\nwant %s", after, before)
		}
		assertNoShipServices(t, ns)
		eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
		if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}"); got != template {
			t.Errorf("template and strategy not restored exactly:\n%s\nwant\n%s", got, template)
		}
		if st := shipStatus(t, ns, "db"); st.Progression.Phase != "RolledBack" {
			t.Errorf("status: %+v", st.Progression)
		}
	})
	t.Run("abort from another shell", func(t *testing.T) {
		ns := namespace(t)
		seedRoutedStatefulSet(t, ns)
		before := routeSpec(t, ns, "web")
		first := startHoldingRelease(t, ns, "db", routedSteps("10,50", "--interval", "60s"))
		mustShip(t, ns, "abort", "db")
		if res := first.wait(t); res.code != 1 || !strings.Contains(res.stderr, "stopped for kubectl ship abort db") {
			t.Errorf("progression: exit %d\n%s", res.code, res.stderr)
		}
		if after := routeSpec(t, ns, "web"); after != before {
			t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
		}
		assertNoShipServices(t, ns)
		eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
	})
	t.Run("a step the pods cannot carry", func(t *testing.T) {
		ns := namespace(t)
		seedRoutedStatefulSet(t, ns)
		assertRefused(t, ns, 1, "step 90%: weight 90% through httproute/web needs 4 of the 4 pods of statefulset db to carry it, and at most 3 can run the canary: give at most --weight 75",
			routedSteps("10,90")[1:]...)
	})
}
