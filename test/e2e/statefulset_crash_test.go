//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// statefulCrashCase is a row of the StatefulSets' crash matrix: a verb on
// StatefulSet db of four pods, from a precondition, and the way back, which
// must leave the StatefulSet as the precondition had it.
type statefulCrashCase struct {
	name string
	// extra is more of the StatefulSet's spec; setup the commands that make
	// the precondition, whatever their exit.
	extra string
	setup [][]string
	args  []string
	// code is how an uninterrupted run exits, and so a re-run after a
	// crash: 4 when its gates roll it back.
	code int
	// recovery is what a user runs instead of the same command; nil when
	// only re-running makes sense. Rows with a recovery have no setup.
	recovery []string
	// routed seeds Service db and httproute web sending traffic to it.
	routed bool
}

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
	cases := []statefulCrashCase{
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
	prepare := func(t *testing.T, c statefulCrashCase) string {
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
	slots := make(chan struct{}, 4)
	var outcomes sync.Map
	var rows sync.WaitGroup
	for _, c := range cases {
		rows.Add(1)
		go func() {
			defer rows.Done()
			t.Run(c.name, func(t *testing.T) {
				var writes int
				var want, wantBack string
				slot(slots, func() {
					ns := prepare(t, c)
					// The way back leaves the StatefulSet as it was before.
					wantBack = settledView(t, func() string { return statefulView(t, ns, c.routed) }, "")
					res := runIn(t, ns, nil, c.args)
					if res.code != c.code {
						t.Errorf("uninterrupted: exit %d, want %d\n%s%s", res.code, c.code, res.stdout, res.stderr)
					}
					writes = strings.Count(res.stdout, "\n")
					want = settledView(t, func() string { return statefulView(t, ns, c.routed) }, "")
				})
				if t.Failed() {
					return
				}
				var cells sync.WaitGroup
				for n := 1; n <= writes; n++ {
					modes := []string{"rerun"}
					if c.recovery != nil {
						modes = append(modes, "recover")
					}
					for _, mode := range modes {
						cells.Add(1)
						go func() {
							defer cells.Done()
							t.Run(fmt.Sprintf("N=%d/%s", n, mode), func(t *testing.T) {
								slot(slots, func() {
									ns := prepare(t, c)
									crash := runIn(t, ns, []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=" + strconv.Itoa(n)}, c.args)
									if crash.code != -1 || strings.Count(crash.stdout, "\n") != n {
										t.Fatalf("want the process killed after write %d; exit %d\n%s%s", n, crash.code, crash.stdout, crash.stderr)
									}
									args, code, wanted := c.args, c.code, want
									if mode == "recover" {
										args, code, wanted = c.recovery, 0, wantBack
									}
									outcome := "ok"
									res := runIn(t, ns, nil, args)
									if mode == "recover" && res.code == 1 && strings.Contains(res.stderr, "has no canary to abort") {
										// Killed after the promotion's write: nothing is left to abort.
										res.code, wanted, outcome = 0, want, "ok, nothing left to abort"
									}
									if res.code != code {
										t.Errorf("%s after the crash: exit %d, want %d\n%s%s", strings.Join(args, " "), res.code, code, res.stdout, res.stderr)
									}
									if got := settledView(t, func() string { return statefulView(t, ns, c.routed) }, wanted); got != wanted {
										t.Errorf("after the crash at write %d and %s:\n%s\nwant (uninterrupted):\n%s", n, mode, got, wanted)
										outcome = "DIFFERS"
									}
									outcomes.Store(fmt.Sprintf("%s N=%d/%d %s", c.name, n, writes, mode), outcome)
								})
							})
						}()
					}
				}
				cells.Wait()
			})
		}()
	}
	rows.Wait()
	var lines []string
	outcomes.Range(func(k, v any) bool { lines = append(lines, fmt.Sprintf("%s: %s", k, v)); return true })
	sort.Strings(lines)
	t.Logf("statefulset crash matrix, %d crash points:\n  %s", len(lines), strings.Join(lines, "\n  "))
}
