//go:build e2e

package e2e

import (
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
	cases := []workloadCrashCase{
		{name: "canary --nodes 2", args: canary, recovery: abort},
		{name: "canary --steps 1,50%", args: daemonSteps(agent2, "--interval", "2s"), recovery: abort},
		{name: "promote", setup: [][]string{canary}, args: []string{"ship", "promote", "agent"}},
		{name: "abort", setup: [][]string{canary}, args: abort},
		{name: "promote under OnDelete", extra: "{type: OnDelete}", setup: [][]string{canary}, args: []string{"ship", "promote", "agent"}},
	}
	prepare := func(t *testing.T, c workloadCrashCase) string {
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
	runCrashMatrix(t, "daemonset", 3, cases, prepare, func(t *testing.T, _ workloadCrashCase, ns string) string { return daemonView(t, ns) })
}
