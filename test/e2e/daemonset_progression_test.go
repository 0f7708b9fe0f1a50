//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// daemonSteps are the flags of a quick progression of DaemonSet agent: one
// node, then half of them, each held for 3 s with a check every second.
func daemonSteps(image string, extra ...string) []string {
	return append([]string{"ship", "canary", "agent", "--image", image, "--steps", "1,50%", "--interval", "3s",
		"--check-every", "1s", "--ready-grace", "3s"}, extra...)
}

// daemonSpec is DaemonSet agent's template and update strategy.
func daemonSpec(t *testing.T, ns string) string {
	t.Helper()
	return mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
}

// eventuallyDaemonAt waits until the first canary nodes of 4 run a ready
// pod of agent2 on a new revision, and the others still run the pods of
// before, untouched (their UIDs).
func eventuallyDaemonAt(t *testing.T, ns string, before map[string]daemonPod, canary int) {
	t.Helper()
	eventually(t, fmt.Sprintf("the canary on the first %d of 4 nodes", canary), func() (bool, string) {
		now := readDaemon(t, ns)
		for i := range 4 {
			node := fmt.Sprintf("%s-%d", ns, i)
			p, was := now[node], before[node]
			if i < canary && (p.Image != agent2 || p.Revision == was.Revision || !p.Ready) ||
				i >= canary && p.UID != was.UID {
				return false, fmt.Sprint(now)
			}
		}
		return true, ""
	})
}

// canary --steps on a DaemonSet moves its canary node by node, each step's
// nodes and only them on the new revision (from the pods); killed (-9) in
// a hold, the same command resumes at that step, holds the next, then
// promotes: every node rolled, and the user's update strategy back.
func TestDaemonSetProgression(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	before, strategy := readDaemon(t, ns), mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy}")

	first := startHoldingRelease(t, ns, "agent", daemonSteps(agent2, "--interval", "120s"))
	eventuallyDaemonAt(t, ns, before, 1)
	if st := shipStatus(t, ns, "agent"); st.Progression.Phase != "Progressing" || st.Progression.Step != 0 {
		t.Errorf("status at step 1: %+v", st.Progression)
	}
	if out := mustShip(t, ns, "status", "agent").stdout; !strings.Contains(out, "step 1 of 2 (1 node) of 1,50%") {
		t.Errorf("status should show the step:\n%s", out)
	}
	_ = first.cmd.Process.Kill()
	_ = first.cmd.Wait()

	second := startIn(t, ns, daemonSteps(agent2, "--interval", "30s"))
	eventually(t, "the hold of step 2", func() (bool, string) {
		st := shipStatus(t, ns, "agent")
		return st.Progression.Step == 1 && len(st.Progression.Gates) > 0, fmt.Sprint(st.Progression)
	})
	eventuallyDaemonAt(t, ns, before, 2)
	res := second.wait(t)
	if res.code != 0 || !strings.Contains(res.stderr, "holding step 1 of 2 (1 node)") || !strings.Contains(res.stderr, "holding step 2 of 2 (50%)") ||
		!strings.Contains(res.stderr, "pods: Pass: 2 canary, 2 stable pods healthy") || !strings.HasSuffix(res.stdout, "daemonset.apps/agent promoted\n") {
		t.Errorf("the re-run should resume at step 1's hold, hold step 2, then promote:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	mustKubectl(t, "rollout", "status", "daemonset/agent", "-n", ns, "--timeout=60s")
	for node, p := range readDaemon(t, ns) {
		if p.Image != agent2 || !p.Ready {
			t.Errorf("node %s after the promotion: %+v, want a ready pod of %s", node, p, agent2)
		}
	}
	if got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy}"); got != strategy {
		t.Errorf("updateStrategy after the promotion: %s, want the user's %s", got, strategy)
	}
	if strings.Contains(mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.metadata.annotations}"), "kubectl-ship") {
		t.Error("ship's record is still on the DaemonSet after the promotion")
	}
	if st := shipStatus(t, ns, "agent"); st.Progression.Phase != "Promoted" {
		t.Errorf("status after the promotion: %+v", st.Progression)
	}
}

// A DaemonSet's progression whose gate fails rolls back as abort does:
// exit 4, the step and the reason named, the template and update strategy
// back byte for byte, every pod back on the old revision, the stable pods
// untouched.
func TestDaemonSetProgressionRollsBack(t *testing.T) {
	t.Parallel()
	rolledBack := func(t *testing.T, ns string, before map[string]daemonPod, spec string, canary int) {
		t.Helper()
		eventually(t, "every node back on the old revision", func() (bool, string) {
			now := readDaemon(t, ns)
			for node, was := range before {
				if p := now[node]; p.Image != agent1 || p.Revision != was.Revision || !p.Ready {
					return false, fmt.Sprint(now)
				}
			}
			return true, ""
		})
		now := readDaemon(t, ns)
		for i := canary; i < 4; i++ {
			if node := fmt.Sprintf("%s-%d", ns, i); now[node].UID != before[node].UID {
				t.Errorf("node %s's stable pod was replaced", node)
			}
		}
		if got := daemonSpec(t, ns); got != spec {
			t.Errorf("template and updateStrategy not restored exactly:\n%s\nwant\n%s", got, spec)
		}
		if st := shipStatus(t, ns, "agent"); st.Progression.Phase != "RolledBack" {
			t.Errorf("status: %+v", st.Progression)
		}
	}
	t.Run("a canary pod breaks in the hold", func(t *testing.T) {
		t.Parallel()
		ns := namespace(t)
		seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
		before, spec := readDaemon(t, ns), daemonSpec(t, ns)
		run := startHoldingRelease(t, ns, "agent", daemonSteps(agent2, "--interval", "120s", "--failure-limit", "0"))
		breakPods(t, ns, "controller-revision-hash="+readDaemon(t, ns)[ns+"-0"].Revision)
		res := run.wait(t)
		if res.code != 4 || !strings.Contains(res.stderr, "step 1 of 2 (1 node)") || !strings.Contains(res.stderr, "canary pod agent-") ||
			!strings.Contains(res.stderr, "CrashLoopBackOff") || strings.Count(res.stderr, "error: ") != 1 {
			t.Errorf("want exit 4 and one error line naming the step and the canary pod:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		rolledBack(t, ns, before, spec, 1)
	})
	t.Run("a crash-looping image", func(t *testing.T) {
		t.Parallel()
		ns := namespace(t)
		seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
		before, spec := readDaemon(t, ns), daemonSpec(t, ns)
		res := runIn(t, ns, nil, daemonSteps("example/agent:crashloop", "--steps", "2,75%", "-v=6"))
		if res.code != 4 || !strings.Contains(res.stderr, "CrashLoopBackOff") || !strings.Contains(res.stderr, "rolled back") {
			t.Errorf("want exit 4, rolled back:\nexit %d\n%s", res.code, res.stderr)
		}
		rolledBack(t, ns, before, spec, 2)
	})
}

// abort from another shell stops a DaemonSet's progression in its hold:
// the first command says who stopped it, and every pod goes back.
func TestDaemonSetAbortStopsAProgression(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	before, spec := readDaemon(t, ns), daemonSpec(t, ns)
	first := startHoldingRelease(t, ns, "agent", daemonSteps(agent2, "--interval", "120s"))
	abort := mustShip(t, ns, "abort", "agent")
	res := first.wait(t)
	if res.code != 1 || !strings.Contains(res.stderr, "stopped for kubectl ship abort agent") || !strings.Contains(abort.stdout, "daemonset.apps/agent rolled back") {
		t.Errorf("progression: exit %d\n%s\nabort: %s", res.code, res.stderr, abort.stdout)
	}
	now := readDaemon(t, ns)
	for node, was := range before {
		if p := now[node]; p.Image != agent1 || p.Revision != was.Revision || !p.Ready {
			t.Errorf("node %s after abort: %+v, want a ready pod of %s on revision %s", node, p, agent1, was.Revision)
		}
	}
	if got := daemonSpec(t, ns); got != spec {
		t.Errorf("template and updateStrategy not restored exactly:\n%s\nwant\n%s", got, spec)
	}
	if st := shipStatus(t, ns, "agent"); st.Progression.Phase != "RolledBack" || st.Progression.EndedBy == "" {
		t.Errorf("status: %+v", st.Progression)
	}
}

// A check of a DaemonSet's hold reads the DaemonSet and lists its pods
// once, whatever the pods: never a request per pod. Each plan reads both
// too; only the waits until every node runs a ready pod list the pods
// alone.
func TestDaemonSetGateCheckRequests(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	res := mustRun(t, ns, daemonSteps(agent2, "--steps", "1", "--no-promote", "-v=6"))
	checks := strings.Count(res.stderr, "step 1 of 1 (1 node): pods: Pass")
	gets, lists := 0, 0
	for _, r := range requestlog.Parse(res.stderr, ns) {
		switch {
		case r.Kind == "GET" && strings.Contains(r.Path, "/pods/"):
			t.Errorf("a request for one pod: %s", r.Path)
		case r.Kind == "GET" && strings.HasSuffix(strings.Split(r.Path, "?")[0], "/daemonsets/agent"):
			gets++
		case r.Kind == "LIST" && strings.HasSuffix(strings.Split(r.Path, "?")[0], "/pods"):
			lists++
		}
	}
	if checks == 0 || gets < checks || lists < gets || lists > gets+2 {
		t.Errorf("%d checks: %d reads of the DaemonSet, %d lists of pods; want one each per check and per plan, and a list per wait", checks, gets, lists)
	}
}
