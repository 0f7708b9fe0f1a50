//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The gate matrix: each gate source (the built-in pods gate, a Prometheus
// analysis, a webhook) in each layout a release can hold in, for each
// outcome (the release healthy, failing, or no data), asserting the
// verdict, the exit code and where the Service's EndpointSlices and the
// route send the traffic at the end.

// matrixLayout is how a release holds while its gates are checked.
type matrixLayout struct {
	name string
	// prepare makes the release's namespace (with a route, a blue-green
	// release brought up, ...) and returns it.
	prepare func(t *testing.T) string
	// args is the command that holds for hold with the gates' flags.
	args func(hold string, gates []string) []string
	// judged selects the pods under test; deployment names them.
	judged, deployment string
	// fleet runs the command across contexts (its soak holds); routed
	// releases run through HTTPRoute ctwoc.
	fleet, routed bool
	// end checks where the traffic goes once the command ended: passed
	// (the gates held) or not; route is the route's spec before.
	end func(t *testing.T, ns, route string, passed bool)
}

// canaryEnd is the end of a canary's progression: promoted (the stable
// pods run v2) or rolled back (v1), the canary gone either way.
func canaryEnd(t *testing.T, ns, _ string, passed bool) {
	t.Helper()
	want := v1
	if passed {
		want = v2
	}
	if view, _ := settledState(t, ns, fmt.Sprint(map[string]int{want: 3})); strings.Contains(view, "ctwoc-canary") {
		t.Errorf("the canary should be gone:\n%s", view)
	}
}

// unchangedRoute checks that the route's spec is what it was: a canary
// promoted or rolled back, a switch rolled back.
func unchangedRoute(t *testing.T, ns, before string) {
	t.Helper()
	if after := routeSpec(t, ns, "ctwoc"); after != before {
		t.Errorf("the route's spec differs:\n got %s\nwant %s", after, before)
	}
}

var matrixLayouts = []matrixLayout{
	{
		name:    "service share",
		prepare: func(t *testing.T) string { return seedRelease(t, seed{}) },
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25", "--interval", hold, "--check-every", "1s", "--ready-grace", "3s"}, gates...)
		},
		judged: "track=canary", deployment: "ctwoc-canary",
		end: canaryEnd,
	},
	{
		name: "stable-only service and an HTTPRoute",
		prepare: func(t *testing.T) string {
			ns := seedRelease(t, seed{})
			apply(t, ns, trackService+"---\n"+httpRoute("ctwoc", "ctwoc"))
			return ns
		},
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25", "--interval", hold, "--check-every", "1s", "--ready-grace", "3s"}, gates...)
		},
		judged: "track=canary", deployment: "ctwoc-canary", routed: true,
		end: func(t *testing.T, ns, route string, passed bool) {
			t.Helper()
			canaryEnd(t, ns, route, passed)
			unchangedRoute(t, ns, route)
		},
	},
	{
		name: "ingress-nginx",
		prepare: func(t *testing.T) string {
			ns := seedRelease(t, seed{})
			apply(t, ns, trackService+"---\n"+userIngress)
			return ns
		},
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25", "--interval", hold, "--check-every", "1s", "--ready-grace", "3s", "--route", "ingress/ctwoc"}, gates...)
		},
		judged: "track=canary", deployment: "ctwoc-canary",
		end: func(t *testing.T, ns, route string, passed bool) {
			t.Helper()
			canaryEnd(t, ns, route, passed)
			if got := kubectl(t, "get", "-n", ns, "ingress", "ctwoc-canary"); got.code == 0 {
				t.Errorf("the canary Ingress should be gone:\n%s", got.stdout)
			}
		},
	},
	{
		name:    "blue-green verify",
		prepare: func(t *testing.T) string { return seedRelease(t, seed{versioned: true}) },
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "bluegreen", "ctwoc", "--image", v2, "--verify-for", hold, "--check-every", "1s", "--ready-grace", "3s"}, gates...)
		},
		judged: "kubectl-ship.dev/color=green", deployment: "ctwoc-green",
		// Verified or not, nothing switched: blue serves.
		end: func(t *testing.T, ns, _ string, _ bool) {
			t.Helper()
			eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
		},
	},
	{
		name: "blue-green steps through an HTTPRoute",
		prepare: func(t *testing.T) string {
			ns := seedRelease(t, seed{versioned: true})
			apply(t, ns, httpRoute("ctwoc", "ctwoc"))
			mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
			return ns
		},
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "bluegreen-switch", "ctwoc", "--steps", "50", "--interval", hold, "--check-every", "1s", "--ready-grace", "3s"}, gates...)
		},
		judged: "kubectl-ship.dev/color=green", deployment: "ctwoc-green", routed: true,
		// The Service keeps blue for the clients inside the cluster; the
		// route sends all to green, or is back as it was.
		end: func(t *testing.T, ns, route string, passed bool) {
			t.Helper()
			eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
			if !passed {
				unchangedRoute(t, ns, route)
			} else if rules := routeRules(t, ns, "ctwoc"); !strings.Contains(rules[0], `"name":"ctwoc-green","port":80,"weight":100`) {
				t.Errorf("the route should send all to green:\n%s", strings.Join(rules, "\n"))
			}
		},
	},
	{
		name:    "fleet soak",
		prepare: fleetRelease,
		args: func(hold string, gates []string) []string {
			return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "25", "--wave", "fleet-a", "--soak", hold, "--check-every", "1s", "--ready-grace", "3s"}, gates...)
		},
		judged: "track=canary", deployment: "ctwoc-canary", fleet: true,
		// The soak's canary stays at its weight, or is rolled back.
		end: func(t *testing.T, ns, _ string, passed bool) {
			t.Helper()
			want := map[string]int{v1: 3}
			if passed {
				want[v2] = 1
			}
			eventuallyServed(t, ns, "ctwoc", want)
		},
	},
}

// matrixGate is one source of verdicts: the flags that set it up for an
// outcome, what the test does during the hold for it, and the verdict the
// command must say.
type matrixGate struct {
	source string
	// flags are the command's gate flags for the outcome.
	flags func(t *testing.T, outcome string) []string
	// act breaks the judged pods during the hold, for the pods gate.
	act func(t *testing.T, ns string, l matrixLayout, outcome string)
	// verdicts are what the command says of a failure and of no data.
	verdicts map[string]string
}

var matrixGates = []matrixGate{
	{
		source: "pods",
		flags:  func(*testing.T, string) []string { return nil },
		act: func(t *testing.T, ns string, l matrixLayout, outcome string) {
			if outcome == "fail" {
				breakPods(t, ns, l.judged)
			} else {
				mustKubectl(t, "scale", "-n", ns, "deployment/"+l.deployment, "--replicas=0")
			}
		},
		verdicts: map[string]string{"fail": "pods: Fail: ", "no data": " pods: deployment "},
	},
	{
		source: "prometheus",
		flags: func(t *testing.T, outcome string) []string {
			value := map[string]string{"pass": "0", "fail": "5"}[outcome]
			return []string{"--analysis", `sum(errors{namespace="{{.Namespace}}"}) < 1`, "--prometheus", fakePrometheus(t, value)}
		},
		verdicts: map[string]string{"fail": ": Fail (value 5, want < 1): 5 is not < 1", "no data": "no data: the query returned an empty vector (inconclusive 2 times in a row)"},
	},
	{
		source: "webhook",
		flags: func(t *testing.T, outcome string) []string {
			if outcome == "no data" {
				dead, err := deadServer()
				if err != nil {
					t.Fatal(err)
				}
				return []string{"--webhook", strings.Replace(dead, "https://", "http://", 1)}
			}
			status := map[string]int{"pass": http.StatusOK, "fail": http.StatusInternalServerError}[outcome]
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "judged", status) }))
			t.Cleanup(hook.Close)
			return []string{"--webhook", hook.URL}
		},
		verdicts: map[string]string{"fail": "HTTP 500 Internal Server Error: judged", "no data": "connection refused"},
	},
}

// fakePrometheus is a loopback Prometheus-compatible endpoint answering
// every query with value, or an empty vector when value is "".
func fakePrometheus(t *testing.T, value string) string {
	t.Helper()
	if value == "" {
		return emptyPrometheus(t)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,%q]}]}}`, time.Now().Unix(), value)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestGateMatrix(t *testing.T) {
	outcomes := []string{"pass", "fail", "no data"}
	slots := make(chan struct{}, crashParallelism())
	var wg sync.WaitGroup
	cells := 0
	for _, l := range matrixLayouts {
		for _, g := range matrixGates {
			for _, outcome := range outcomes {
				cells++
				wg.Add(1)
				go func() {
					defer wg.Done()
					t.Run(l.name+"/"+g.source+"/"+outcome, func(t *testing.T) {
						slot(slots, func() { matrixCell(t, l, g, outcome) })
					})
				}()
			}
		}
	}
	wg.Wait()
	t.Logf("%d cells: %d gate sources x %d layouts x %d outcomes", cells, len(matrixGates), len(matrixLayouts), len(outcomes))
}

// matrixCell runs one cell: the release laid out, the command holding with
// the gate set up for the outcome, then the verdict, the exit code and the
// end state.
func matrixCell(t *testing.T, l matrixLayout, g matrixGate, outcome string) {
	if l.fleet {
		fleet(t)
	}
	ns := l.prepare(t)
	route := ""
	if l.routed {
		route = routeSpec(t, ns, "ctwoc")
	}
	hold := "4s"
	acts := g.act != nil && outcome != "pass"
	if acts {
		hold = "60s" // the pods break while it holds, which ends it
	}
	args := l.args(hold, g.flags(t, outcome))
	var res result
	switch {
	case acts:
		run := startMatrix(t, ns, l, args)
		g.act(t, ns, l, outcome)
		res = run.wait(t)
	case l.fleet:
		res = fleetShip(t, nil, ns, args[1:]...)
	default:
		res = runIn(t, ns, nil, args)
	}
	code, verdict := 0, ""
	if outcome != "pass" {
		code, verdict = 4, g.verdicts[outcome]
		if l.fleet {
			code = 1 // the fleet's own: a cluster failed
		}
	}
	if res.code != code || !strings.Contains(res.stderr, verdict) {
		t.Errorf("exit %d, want %d saying %q:\n%s%s", res.code, code, verdict, res.stdout, res.stderr)
	}
	l.end(t, ns, route, outcome == "pass")
}

// startMatrix starts args and returns once it holds: a progression's or a
// verification's first check recorded, or a fleet's wave soaking.
func startMatrix(t *testing.T, ns string, l matrixLayout, args []string) *started {
	t.Helper()
	if !l.fleet {
		return startHolding(t, ns, args)
	}
	s := startWith(t, fleetEnv.kubeconfig, ns, args)
	waitSoaking(t, "fleet-a", ns)
	return s
}
