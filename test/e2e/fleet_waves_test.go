//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// threeWaves is a canary of v2 to fleet-a, then fleet-b, then fleet-c, each
// wave soaked for soak.
func threeWaves(image, soak string) []string {
	return []string{"canary", "ctwoc", "--image", image, "--weight", "25",
		"--wave", "fleet-a", "--wave", "fleet-b", "--wave", "fleet-c", "--soak", soak}
}

// A three-wave canary writes in wave order: by the clusters' own clocks, no
// write of a wave (its lock, its canary) happened before the last write of
// the wave before it plus the soak. Run again, it is already done
// everywhere; history in any cluster shows the fleet's wave; promote then
// goes across the fleet.
func TestFleetWavesInOrder(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)

	res := fleetShip(t, nil, ns, threeWaves(v2, "3s")...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range fleetContexts {
		if !strings.Contains(res.stdout, "["+c+"] deployment.apps/ctwoc-canary created\n") {
			t.Errorf("no result line of %s:\n%s", c, res.stdout)
		}
	}
	for i := 1; i < len(fleetContexts); i++ {
		before, after := fleetContexts[i-1], fleetContexts[i]
		lastBefore := canaryOf(t, before, ns).CreationTimestamp.Time
		_, lockAfter := fleetLock(t, after, ns)
		firstAfter := canaryOf(t, after, ns).CreationTimestamp.Time
		if lockAfter.Before(firstAfter) {
			firstAfter = lockAfter
		}
		// Timestamps are whole seconds: both are cut alike.
		if firstAfter.Before(lastBefore.Add(3 * time.Second)) {
			t.Errorf("%s was first written at %s, before %s's canary (%s) had soaked 3s",
				after, firstAfter.Format(time.TimeOnly), before, lastBefore.Format(time.TimeOnly))
		}
	}
	if !regexp.MustCompile(`(?m)^1 +fleet-a +done +deployment.apps/ctwoc-canary created; healthy for 3s \(1 canary, 3 stable pods healthy\)$`).MatchString(res.stdout) {
		t.Errorf("the report:\n%s", res.stdout)
	}

	before := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns)
	// Run again, every wave is already done: none is planned, written or
	// soaked again.
	res = fleetShip(t, nil, ns, threeWaves(v2, "3s")...)
	if res.code != 0 || strings.Count(res.stdout, "already done   by this command at ") != 3 || strings.Contains(res.stdout, "healthy for") {
		t.Errorf("run again: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if after := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns); after != before {
		t.Errorf("running it again wrote to fleet-b:\n%s\n%s", before, after)
	}

	res = fleetShip(t, nil, ns, "history", "ctwoc", "--context", "fleet-b")
	if !strings.Contains(res.stdout, "--wave fleet-a --wave fleet-b --wave fleet-c --weight 25 (wave 2/3)") {
		t.Errorf("history in fleet-b does not show the fleet's wave:\n%s%s", res.stdout, res.stderr)
	}

	res = fleetShip(t, nil, ns, "promote", "ctwoc", "--wave", "fleet-a", "--wave", "fleet-[bc]")
	if res.code != 0 {
		t.Fatalf("promote: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range fleetContexts {
		if canaryOf(t, c, ns) != nil || !strings.Contains(res.stdout, "["+c+"] deployment.apps/ctwoc promoted") {
			t.Errorf("%s is not promoted:\n%s", c, res.stdout)
		}
		if holder, _ := fleetLock(t, c, ns); holder != "" {
			t.Errorf("%s: lock left held by %s", c, holder)
		}
	}
}

// A canary whose pods crash-loop in fleet-b only: fleet-a passes, fleet-b
// fails the health gate and is rolled back, fleet-c is never touched, and
// the report says how to go on.
func TestFleetStopsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	untouched := clusterSnapshot(t, fleetEnv.clients["fleet-c"], ns)

	res := fleetShip(t, nil, ns, threeWaves("example/ctwoc:flaky", "2s")...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		`(?m)^1 +fleet-a +done +deployment.apps/ctwoc-canary created; healthy for 2s`,
		`(?m)^2 +fleet-b +rolled back +deployment.apps/ctwoc-canary created; .*health gate: pods: Fail: canary pod ctwoc-canary-\S+: container ctwoc waiting: CrashLoopBackOff.*; rolled back: deployment.apps/ctwoc-canary deleted$`,
		`(?m)^3 +fleet-c +not started +-$`,
		`(?m)^  kubectl ship canary ctwoc --image example/ctwoc:flaky --soak 2s --wave fleet-a --wave fleet-b --wave fleet-c --weight 25 --namespace ` + ns + `$`,
		`(?m)^  kubectl ship abort ctwoc --namespace ` + ns + ` --contexts fleet-a$`,
	} {
		if !regexp.MustCompile(want).MatchString(res.stdout) {
			t.Errorf("the report does not match %s:\n%s", want, res.stdout)
		}
	}
	if !strings.HasSuffix(res.stderr, "error: wave 2 failed in fleet-b: later waves not started\n") {
		t.Errorf("stderr:\n%s", res.stderr)
	}
	if canaryOf(t, "fleet-a", ns) == nil || canaryOf(t, "fleet-b", ns) != nil {
		t.Error("want the canary left in fleet-a and rolled back in fleet-b")
	}
	if now := clusterSnapshot(t, fleetEnv.clients["fleet-c"], ns); now != untouched {
		t.Errorf("fleet-c was written to:\n%s\n%s", untouched, now)
	}
	for _, c := range fleetContexts {
		if holder, _ := fleetLock(t, c, ns); holder != "" {
			t.Errorf("%s: lock left held by %s", c, holder)
		}
	}
}

// A webhook that refuses the canary while its first wave soaks: the gates
// of a canary without --steps are checked there, told the phase Soaking,
// so fleet-a is rolled back and fleet-b never touched.
func TestFleetSoakChecksTheWebhooks(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	untouched := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns)
	told := make(chan string, 16)
	frozen := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Phase, Namespace string }
		_ = json.NewDecoder(r.Body).Decode(&p)
		told <- p.Phase + " " + p.Namespace
		http.Error(w, "release frozen", http.StatusServiceUnavailable)
	}))
	t.Cleanup(frozen.Close)

	res := fleetShip(t, nil, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--webhook", frozen.URL,
		"--check-every", "1s", "--wave", "fleet-a", "--wave", "fleet-b", "--soak", "5s")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if want := `(?m)^1 +fleet-a +rolled back +deployment.apps/ctwoc-canary created; unhealthy while soaking: .*HTTP 503.*; rolled back: deployment.apps/ctwoc-canary deleted$`; !regexp.MustCompile(want).MatchString(res.stdout) {
		t.Errorf("the report does not match %s:\n%s", want, res.stdout)
	}
	if got := <-told; got != "Soaking "+ns {
		t.Errorf("the webhook was told %q, want the phase Soaking and the namespace", got)
	}
	if canaryOf(t, "fleet-a", ns) != nil {
		t.Error("the canary is left in fleet-a")
	}
	if now := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns); now != untouched {
		t.Errorf("fleet-b was written to:\n%s\n%s", untouched, now)
	}
}

// Killed in the middle of wave 2 (right after its first write in fleet-b,
// its lock held), the same command run again converges everywhere: wave 1
// is already done, fleet-b's lock is taken over from the dead process, and
// no lock is left.
func TestFleetResumesAfterAKill(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	args := threeWaves(v2, "1s")
	crash := []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=1", "KUBECTL_SHIP_CRASH_IN_CONTEXT=fleet-b"}
	if res := fleetShip(t, crash, ns, args...); res.code != -1 {
		t.Fatalf("want the process killed, got exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if holder, _ := fleetLock(t, "fleet-b", ns); holder == "" || canaryOf(t, "fleet-b", ns) == nil || canaryOf(t, "fleet-c", ns) != nil {
		t.Fatalf("want fleet-b locked with its canary and fleet-c untouched; lock held by %q", holder)
	}
	res := fleetShip(t, nil, ns, args...)
	if res.code != 0 || !regexp.MustCompile(`(?m)^1 +fleet-a +already done +by this command at `).MatchString(res.stdout) {
		t.Fatalf("run again: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range fleetContexts {
		if holder, _ := fleetLock(t, c, ns); holder != "" || canaryOf(t, c, ns) == nil {
			t.Errorf("%s: lock held by %q, canary %v", c, holder, canaryOf(t, c, ns) != nil)
		}
	}
}

// Ctrl-C in a wave's soak stops the fleet there: the table still says where
// every cluster stands and how to go on, and the next wave is not touched.
func TestFleetCtrlCPrintsTheTable(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	untouched := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns)
	cmd := exec.Command("kubectl", "ship", "-n", ns, "canary", "ctwoc", "--image", v2, "--wave", "fleet-a", "--wave", "fleet-b", "--soak", "5m")
	cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+fleetEnv.kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	eventually(t, "fleet-a's canary made and its lock freed: the soak", func() (bool, string) {
		holder, created := fleetLock(t, "fleet-a", ns)
		return !created.IsZero() && holder == "", holder
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("want exit 1, got %v", err)
	}
	for _, want := range []string{`(?m)^1 +fleet-a +done +deployment.apps/ctwoc-canary created; soak interrupted$`, `(?m)^2 +fleet-b +not started +-$`,
		`(?m)^To continue, run the same command again`} {
		if !regexp.MustCompile(want).MatchString(stdout.String()) {
			t.Errorf("stdout does not match %s:\n%s", want, stdout.String())
		}
	}
	if !strings.HasSuffix(stderr.String(), "error: interrupted in wave 1: later waves not started\n") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if now := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns); now != untouched {
		t.Errorf("fleet-b was written to:\n%s\n%s", untouched, now)
	}
}
