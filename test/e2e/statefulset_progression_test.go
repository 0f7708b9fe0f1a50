//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// statefulSteps are the flags of a quick progression of StatefulSet db:
// 25% then 50% of its four pods, each held for 3 s with a check every
// second.
func statefulSteps(extra ...string) []string {
	return append([]string{"ship", "canary", "db", "--image", db2, "--steps", "25,50", "--interval", "3s",
		"--check-every", "1s", "--ready-grace", "3s"}, extra...)
}

// webhookWeights is a webhook that passes every check and keeps the step
// weights it was told.
func webhookWeights(t *testing.T) (*httptest.Server, func() []int32) {
	var mu sync.Mutex
	var weights []int32
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var p gate.Payload
		if json.NewDecoder(r.Body).Decode(&p) == nil && p.Release == "db" && p.Images["db"] == db2 {
			mu.Lock()
			if n := len(weights); n == 0 || weights[n-1] != p.Weight {
				weights = append(weights, p.Weight)
			}
			mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []int32 {
		mu.Lock()
		defer mu.Unlock()
		return append([]int32(nil), weights...)
	}
}

// canary --steps on a StatefulSet moves the partition step by step, each
// step's ordinals and only them on the new revision; killed (-9) in a
// hold, the same command resumes at that step; then it promotes.
func TestStatefulSetProgression(t *testing.T) {
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	hook, weights := webhookWeights(t)

	first := startHoldingRelease(t, ns, "db", statefulSteps("--interval", "60s", "--webhook", hook.URL))
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	if got := readStateful(t, ns).Partition; got != 3 {
		t.Errorf("partition at step 1 = %d, want 3", got)
	}
	st := shipStatus(t, ns, "db")
	if st.Progression.Phase != "Progressing" || st.Progression.Step != 0 {
		t.Errorf("status at step 1: %+v", st.Progression)
	}
	_ = first.cmd.Process.Kill()
	_ = first.cmd.Wait()

	res := mustRun(t, ns, statefulSteps("--webhook", hook.URL))
	if !strings.Contains(res.stderr, "holding step 1 of 2") || !strings.Contains(res.stderr, "holding step 2 of 2") ||
		!strings.Contains(res.stderr, "pods: Pass: 2 canary, 2 stable pods healthy") || !strings.Contains(res.stderr, "traffic: Pass: statefulset db 50% canary (2 of 4 ready pods)") {
		t.Errorf("the re-run should resume at step 1's hold, then hold step 2:\n%s%s", res.stdout, res.stderr)
	}
	if res.stdout != "statefulset.apps/db configured\nstatefulset.apps/db promoted\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
	if got := readStateful(t, ns).Partition; got != 0 {
		t.Errorf("partition = %d after the promotion, want 0", got)
	}
	if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.annotations}"); strings.Contains(got, "kubectl-ship") {
		t.Errorf("ship's record is left on the StatefulSet: %s", got)
	}
	if st := shipStatus(t, ns, "db"); st.Progression.Phase != "Promoted" {
		t.Errorf("status after the promotion: %+v", st.Progression)
	}
	if got := weights(); len(got) < 2 || got[0] != 25 || got[len(got)-1] != 50 {
		t.Errorf("the webhook was told weights %v, want 25 then 50", got)
	}
}

// A gate that fails rolls the StatefulSet back exactly as abort does, and
// exits 4: a canary pod that breaks in the hold (its pods of the update
// revision judged, by owner and revision), or a webhook that says no.
func TestStatefulSetProgressionRollsBack(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "frozen", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	t.Run("a canary pod breaks", func(t *testing.T) {
		ns := namespace(t)
		seedStatefulSet(t, ns, 4, "")
		template := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
		stable := mustKubectl(t, "get", "pods", "-n", ns, "db-0", "db-1", "db-2", "-o", "jsonpath={.items[*].metadata.uid}")
		run := startHoldingRelease(t, ns, "db", statefulSteps("--interval", "60s", "--failure-limit", "0"))
		update := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.status.updateRevision}")
		breakPods(t, ns, "controller-revision-hash="+update)
		res := run.wait(t)
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: canary pod db-3: ") || !strings.Contains(res.stderr, "CrashLoopBackOff") ||
			!strings.Contains(res.stderr, "forced rollback: pod db-3") {
			t.Errorf("want exit 4, the canary pod named, its forced rollback:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
		if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}"); got != template {
			t.Errorf("template and strategy not restored exactly:\n%s\nwant\n%s", got, template)
		}
		if got := mustKubectl(t, "get", "pods", "-n", ns, "db-0", "db-1", "db-2", "-o", "jsonpath={.items[*].metadata.uid}"); got != stable {
			t.Errorf("the stable pods were replaced: %s, were %s", got, stable)
		}
		if st := shipStatus(t, ns, "db"); st.Progression.Phase != "RolledBack" || !strings.Contains(st.Progression.Reason, "canary pod db-3") {
			t.Errorf("status: %+v", st.Progression)
		}
	})
	t.Run("a webhook says no", func(t *testing.T) {
		ns := namespace(t)
		seedStatefulSet(t, ns, 4, "  podManagementPolicy: Parallel\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}\n")
		template := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
		res := runIn(t, ns, nil, statefulSteps("--webhook", failing.URL))
		if res.code != 4 || !strings.Contains(res.stderr, "HTTP 503") || res.stdout != "statefulset.apps/db configured\nstatefulset.apps/db rolled back\n" {
			t.Errorf("want exit 4, rolled back:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
		if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}"); got != template {
			t.Errorf("template and the user's partition not restored exactly:\n%s\nwant\n%s", got, template)
		}
	})
}

// abort from another shell stops a StatefulSet's progression in its hold:
// the first command says who stopped it, and every pod goes back.
func TestStatefulSetAbortStopsAProgression(t *testing.T) {
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	first := startHoldingRelease(t, ns, "db", statefulSteps("--interval", "60s"))
	abort := mustShip(t, ns, "abort", "db")
	res := first.wait(t)
	if res.code != 1 || !strings.Contains(res.stderr, "stopped for kubectl ship abort db") || abort.stdout != "statefulset.apps/db rolled back\n" {
		t.Errorf("progression: exit %d\n%s\nabort: %s", res.code, res.stderr, abort.stdout)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
	if st := shipStatus(t, ns, "db"); st.Progression.Phase != "RolledBack" || st.Progression.EndedBy == "" {
		t.Errorf("status: %+v", st.Progression)
	}
}

// A pause holds the StatefulSet's canary at its step until a person
// approves from another shell; the progression then goes on and promotes.
func TestStatefulSetProgressionPause(t *testing.T) {
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	run := startIn(t, ns, statefulSteps("--steps", "25,pause,50"))
	eventually(t, "the pause", func() (bool, string) {
		st := shipStatus(t, ns, "db")
		return st.Progression.Phase == "Paused", st.Progression.Phase
	})
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	mustShip(t, ns, "approve", "db", "--reason", "looks good")
	if res := run.wait(t); res.code != 0 || !strings.Contains(res.stderr, "holding step 3 of 3 (50%)") {
		t.Errorf("approved: exit %d\n%s", res.code, res.stderr)
	}
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
}

// A check of a StatefulSet's hold reads the StatefulSet and lists its pods
// once, whatever the pods: never a request per pod, and as many lists of
// pods as reads of the StatefulSet (the plans' reads included).
func TestStatefulSetGateCheckRequests(t *testing.T) {
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	res := mustRun(t, ns, statefulSteps("--steps", "50", "--no-promote", "-v=6"))
	checks := strings.Count(res.stderr, "step 1 of 1 (50%): pods: Pass")
	gets, lists := 0, 0
	for _, r := range requestlog.Parse(res.stderr, ns) {
		switch {
		case r.Kind == "GET" && strings.Contains(r.Path, "/pods/"):
			t.Errorf("a request for one pod: %s", r.Path)
		case r.Kind == "GET" && strings.HasSuffix(strings.Split(r.Path, "?")[0], "/statefulsets/db"):
			gets++
		case r.Kind == "LIST" && strings.HasSuffix(strings.Split(r.Path, "?")[0], "/pods"):
			lists++
		}
	}
	if checks == 0 || lists != gets || lists < checks {
		t.Errorf("%d checks: %d reads of the StatefulSet, %d lists of pods; want one each per check and per plan", checks, gets, lists)
	}
}

// A release policy in the StatefulSet's annotation drives its canary as a
// Deployment's does: its steps, interval and webhook, with only the image
// typed; the webhook is told each step's weight.
func TestStatefulSetPolicySteps(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	hook, weights := webhookWeights(t)
	mustKubectl(t, "annotate", "statefulset", "db", "-n", ns,
		`kubectl-ship.dev/policy={"apiVersion": "kubectl-ship.dev/v1alpha1", "kind": "ReleasePolicy", "spec": {"steps": [25, 50], "interval": "3s", "checkEvery": "1s", "readyGrace": "3s", "webhooks": ["`+hook.URL+`"]}}`)

	res := mustShip(t, ns, "canary", "db", "--image", db2)
	if !strings.Contains(res.stderr, "holding step 1 of 2 (25%)") || !strings.Contains(res.stderr, "holding step 2 of 2 (50%)") ||
		!strings.Contains(res.stderr, "traffic: Pass: statefulset db 50% canary (2 of 4 ready pods)") {
		t.Errorf("the policy's steps should drive the canary:\n%s", res.stderr)
	}
	if res.stdout != "statefulset.apps/db configured\nstatefulset.apps/db configured\nstatefulset.apps/db promoted\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	if got := weights(); len(got) != 2 || got[0] != 25 || got[1] != 50 {
		t.Errorf("the policy's webhook was told the weights %v, want [25 50]", got)
	}
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
}
