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

// TestDaemonSetCrashMatrix kills each DaemonSet verb right after each of
// its writes (the patch, each pod deleted, the strategy put back; each
// step's of a progression, then its promotion's), then
// runs the same command again or abort: either must leave what an
// uninterrupted run leaves (abort: the DaemonSet as before the canary),
// from the DaemonSet and its pods, with the lock free. A DaemonSet on 4
// nodes of its own, maxUnavailable 1; a few cells at once.
func TestDaemonSetCrashMatrix(t *testing.T) {
	t.Parallel()
	canary := []string{"ship", "canary", "agent", "--image", agent2, "--nodes", "2"}
	abort := []string{"ship", "abort", "agent"}
	cases := []statefulCrashCase{
		{name: "canary --nodes 2", args: canary, recovery: abort},
		{name: "canary --steps 1,50%", args: daemonSteps(agent2, "--interval", "2s"), recovery: abort},
		{name: "promote", setup: [][]string{canary}, args: []string{"ship", "promote", "agent"}},
		{name: "abort", setup: [][]string{canary}, args: abort},
		{name: "promote under OnDelete", extra: "{type: OnDelete}", setup: [][]string{canary}, args: []string{"ship", "promote", "agent"}},
	}
	prepare := func(t *testing.T, c statefulCrashCase) string {
		ns := namespace(t)
		strategy := c.extra
		if strategy == "" {
			strategy = "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}"
		}
		seedDaemonSet(t, ns, 4, strategy)
		for _, args := range c.setup {
			mustRun(t, ns, args)
		}
		return ns
	}
	slots := make(chan struct{}, 3)
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
					wantBack = settledView(t, func() string { return daemonView(t, ns) }, "")
					res := runIn(t, ns, nil, c.args)
					if res.code != 0 {
						t.Errorf("uninterrupted: exit %d\n%s%s", res.code, res.stdout, res.stderr)
					}
					writes = strings.Count(res.stdout, "\n")
					want = settledView(t, func() string { return daemonView(t, ns) }, "")
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
									args, wanted := c.args, want
									if mode == "recover" {
										args, wanted = c.recovery, wantBack
									}
									res, outcome := runIn(t, ns, nil, args), "ok"
									if mode == "recover" && res.code == 1 && strings.Contains(res.stderr, "has no canary to abort") {
										// Killed after a progression's promotion: nothing is left to abort.
										res.code, wanted, outcome = 0, want, "ok, nothing left to abort"
									}
									if res.code != 0 {
										t.Errorf("%s after the crash: exit %d\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
									}
									if got := settledView(t, func() string { return daemonView(t, ns) }, wanted); got != wanted {
										t.Errorf("after the crash at write %d and %s:\n%s\nwant:\n%s", n, mode, got, wanted)
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
	t.Logf("daemonset crash matrix, %d crash points:\n  %s", len(lines), strings.Join(lines, "\n  "))
}
