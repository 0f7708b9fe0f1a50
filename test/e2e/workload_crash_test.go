//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// workloadCrashCase is a row of a workload's crash matrix (a StatefulSet's
// or a DaemonSet's): a verb, from a precondition, and the way back, which
// must leave the workload as the precondition had it.
type workloadCrashCase struct {
	name string
	// extra is more of the workload's spec; setup the commands that make
	// the precondition.
	extra string
	setup [][]string
	args  []string
	// code is how an uninterrupted run exits, and so a re-run after a
	// crash: 4 when its gates roll it back.
	code int
	// recovery is what a user runs instead of the same command; nil when
	// only re-running makes sense. Rows with a recovery have no setup.
	recovery []string
	// routed seeds a Service and an HTTPRoute sending traffic to it, which
	// the view shows too.
	routed bool
}

// runCrashMatrix kills each case's command right after each of its writes
// (KUBECTL_SHIP_CRASH_AFTER_STEP=N), then runs the same command again or
// the way back: either must leave what an uninterrupted run leaves (the
// way back: what prepare left), as view shows the workload and its pods,
// with the lock free. Each cell runs in a namespace of its own made by
// prepare, at most slots at once; kind names the matrix in the log.
func runCrashMatrix(t *testing.T, kind string, slots int, cases []workloadCrashCase,
	prepare func(*testing.T, workloadCrashCase) string, view func(*testing.T, workloadCrashCase, string) string) {
	t.Helper()
	free := make(chan struct{}, slots)
	var outcomes sync.Map
	var rows sync.WaitGroup
	for _, c := range cases {
		rows.Add(1)
		go func() {
			defer rows.Done()
			t.Run(c.name, func(t *testing.T) {
				var writes int
				var want, wantBack string
				slot(free, func() {
					ns := prepare(t, c)
					wantBack = settledView(t, func() string { return view(t, c, ns) }, "")
					res := runIn(t, ns, nil, c.args)
					if res.code != c.code {
						t.Errorf("uninterrupted: exit %d, want %d\n%s%s", res.code, c.code, res.stdout, res.stderr)
					}
					writes = strings.Count(res.stdout, "\n")
					want = settledView(t, func() string { return view(t, c, ns) }, "")
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
								slot(free, func() {
									outcomes.Store(fmt.Sprintf("%s N=%d/%d %s", c.name, n, writes, mode), workloadCrashCell(t, c, n, mode, prepare, view, want, wantBack))
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
	t.Logf("%s crash matrix, %d crash points:\n  %s", kind, len(lines), strings.Join(lines, "\n  "))
}

// workloadCrashCell kills c's command after its write n, then runs it again
// (mode rerun) or c's recovery (recover), and compares the view with want
// (after a rerun) or wantBack (after the recovery); it returns the outcome.
func workloadCrashCell(t *testing.T, c workloadCrashCase, n int, mode string,
	prepare func(*testing.T, workloadCrashCase) string, view func(*testing.T, workloadCrashCase, string) string, want, wantBack string) string {
	t.Helper()
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
	if wait, ok := waitAdvised(res); ok {
		// Killed after a rollback's first write: the workload is still
		// rolling back, and the command refused, changing nothing, until it
		// is done. Do as it says, then run it again.
		mustRun(t, ns, wait)
		res, outcome = runIn(t, ns, nil, args), "ok, after waiting as told"
	}
	if mode == "recover" && res.code == 1 && strings.Contains(res.stderr, "has no canary to abort") {
		// Killed after the promotion's write: nothing is left to abort.
		res.code, wanted, outcome = 0, want, "ok, nothing left to abort"
	}
	if res.code != code {
		t.Errorf("%s after the crash: exit %d, want %d\n%s%s", strings.Join(args, " "), res.code, code, res.stdout, res.stderr)
	}
	if got := settledView(t, func() string { return view(t, c, ns) }, wanted); got != wanted {
		t.Errorf("after the crash at write %d and %s:\n%s\nwant:\n%s", n, mode, got, wanted)
		outcome = "DIFFERS"
	}
	return outcome
}

// waitAdvised is the kubectl command a refusal of a rollout in progress
// says to wait with ("wait for 'kubectl rollout status statefulset/db'").
func waitAdvised(res result) ([]string, bool) {
	_, advice, found := strings.Cut(res.stderr, "rollout is in progress")
	_, advice, waits := strings.Cut(advice, "wait for 'kubectl ")
	advice, _, quoted := strings.Cut(advice, "'")
	if res.code != 1 || !found || !waits || !quoted {
		return nil, false
	}
	return append(strings.Fields(advice), "--timeout=120s"), true
}
