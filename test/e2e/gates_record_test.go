//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// emptyPrometheus is a loopback Prometheus-compatible endpoint whose every
// query answers an empty vector: no data.
func emptyPrometheus(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// switchableHook is a loopback webhook that fails its next Failures calls
// (all of them while negative), then answers 200.
type switchableHook struct {
	URL      string
	Failures atomic.Int32
}

func newSwitchableHook(t *testing.T, failures int32) *switchableHook {
	t.Helper()
	h := &switchableHook{}
	h.Failures.Store(failures)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n := h.Failures.Load(); n != 0 {
			h.Failures.CompareAndSwap(n, max(n-1, -1))
			http.Error(w, "not yet", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

// No data is no pass: inconclusive results count in a row across steps, and
// no step ends before a check of it passed every gate. With one check per
// step, each step's inconclusive result once started the count over.
func TestNoDataIsCountedAcrossSteps(t *testing.T) {
	ns := seedRelease(t, seed{})
	res := runIn(t, ns, nil, []string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25,50", "--interval", "1s", "--check-every", "1s",
		"--analysis", `sum(up{namespace="{{.Namespace}}"}) < 1`, "--prometheus", emptyPrometheus(t)})
	if res.code != 4 || !strings.Contains(res.stderr, "no data: the query returned an empty vector (inconclusive 2 times in a row)") {
		t.Errorf("want exit 4 for want of data:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	assertAborted(t, ns)
}

// A retry of a progression its gates rolled back counts its own failures:
// --failure-limit 1 survives one failed check again.
func TestFailuresAreCountedPerRun(t *testing.T) {
	ns := seedRelease(t, seed{})
	hook := newSwitchableHook(t, -1)
	args := progress("--steps", "25,50", "--interval", "3s", "--failure-limit", "1", "--webhook", hook.URL)
	if res := runIn(t, ns, nil, args); res.code != 4 {
		t.Fatalf("the first run should roll back: exit %d\n%s", res.code, res.stderr)
	}
	hook.Failures.Store(1)
	if res := runIn(t, ns, nil, args); res.code != 0 || !strings.Contains(res.stderr, "HTTP 503") {
		t.Errorf("the retry should survive one failed check and promote: exit %d\n%s", res.code, res.stderr)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
}

// A failed verification blocks the switch it guarded, until the color is
// verified again (or --force).
func TestFailedVerificationBlocksTheSwitch(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true})
	hook := newSwitchableHook(t, -1)
	verify := []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--verify-for", "3s", "--check-every", "1s", "--webhook", hook.URL}
	if res := runIn(t, ns, nil, verify); res.code != 4 || !strings.Contains(res.stderr, "HTTP 503") {
		t.Fatalf("the verification should fail: exit %d\n%s", res.code, res.stderr)
	}
	assertRefused(t, ns, 1, "green (deployment ctwoc-green, ctwoc="+v2+") failed its verification", "bluegreen-switch", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "Verification of green (ctwoc="+v2+"): Failed") {
		t.Errorf("status should say the verification failed:\n%s", text)
	}
	hook.Failures.Store(0)
	mustRun(t, ns, verify)
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
}

// The record and status --until tell how a progression ended, and who
// ended it: Ctrl-C leaves it Interrupted; a promote or an abort from
// another shell ends it Promoted or RolledBack by that command; a reached
// state returns at once, the opposite one fails at once (4, 5); a
// progression stopped at its pause step is paused.
func TestStatusTellsHowItEnded(t *testing.T) {
	t.Run("interrupted, then promoted by hand", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		run := startHolding(t, ns, progress("--interval", "60s"))
		if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		run.wait(t)
		if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "Interrupted" {
			t.Errorf("after Ctrl-C: %+v", st.Progression)
		}
		mustShip(t, ns, "promote", "ctwoc")
		if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "Progression: Promoted") || !strings.Contains(text, "ended by kubectl ship promote ctwoc") {
			t.Errorf("status should say who promoted it:\n%s", text)
		}
		assertUntil(t, ns, "promoted", 0, "")
		assertUntil(t, ns, "rolled-back", 5, "release ctwoc was promoted by kubectl ship promote ctwoc")
	})
	t.Run("aborted from another shell", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		run := startHolding(t, ns, progress("--interval", "60s"))
		mustShip(t, ns, "abort", "ctwoc")
		run.wait(t)
		if text := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(text, "Progression: RolledBack") || !strings.Contains(text, "ended by kubectl ship abort ctwoc") {
			t.Errorf("status should say who aborted it:\n%s", text)
		}
		assertUntil(t, ns, "rolled-back", 0, "")
		assertUntil(t, ns, "promoted", 4, "release ctwoc was rolled back by kubectl ship abort ctwoc")
	})
	t.Run("paused at its pause step", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		mustRun(t, ns, progress("--steps", "25,pause,50", "--wait=false"))
		assertUntil(t, ns, "paused", 0, "")
	})
	t.Run("a canary promoted by hand", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		mustShip(t, ns, "canary", "ctwoc", "--image", v2)
		mustShip(t, ns, "promote", "ctwoc")
		assertUntil(t, ns, "promoted", 0, "")
	})
}

// assertUntil runs status --until state, bounded by a timeout it must not
// reach, and checks its exit code and error.
func assertUntil(t *testing.T, ns, state string, code int, want string) {
	t.Helper()
	res := ship(t, ns, "status", "ctwoc", "--until", state, "--timeout", "40s")
	if res.code != code || !strings.Contains(res.stderr, want) {
		t.Errorf("status --until %s: exit %d, want %d with %q\n%s", state, res.code, code, want, res.stderr)
	}
}

// An abort while the progression's process is stopped (SIGSTOP) in its
// hold: the holder neither answers nor renews its lock, so the abort waits
// for the lock to expire, then aborts. Continued, the stopped process
// finds its lock taken and changes nothing.
func TestAbortWhileTheHolderIsStopped(t *testing.T) {
	ns := seedRelease(t, seed{})
	run := startHolding(t, ns, progress("--interval", "10m"))
	if err := run.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	abort := ship(t, ns, "abort", "ctwoc")
	if err := run.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	res := run.wait(t)
	if abort.code != 0 || !strings.Contains(abort.stdout, "deployment.apps/ctwoc-canary deleted") || !strings.Contains(abort.stderr, "does not answer") {
		t.Errorf("abort: exit %d\n%s%s", abort.code, abort.stdout, abort.stderr)
	}
	if res.code == 0 || res.stdout != "deployment.apps/ctwoc-canary created\n" {
		t.Errorf("the continued progression: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	assertAborted(t, ns)
	if st := shipStatus(t, ns, "ctwoc"); !strings.Contains(st.Progression.EndedBy, "kubectl ship abort ctwoc") {
		t.Errorf("status: %+v", st.Progression)
	}
}

// Credentials a --webhook or --prometheus URL carries never reach what
// the cluster keeps (the release's lock and record, history, the
// Deployment's Events); a redirect is a failed check, never followed; a
// hostile answer reaches the terminal escaped.
func TestGateSecretsAndUntrustedAnswers(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(elsewhere.Close)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/ok", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "frozen \x1b[2J\x07 by the board", http.StatusInternalServerError)
	}))
	t.Cleanup(hostile.Close)
	withSecrets := func(raw string) string {
		return strings.Replace(raw, "http://", "http://alice:hook-pw@", 1) + "/x?token=s3cr3t-token"
	}

	t.Run("credentials and escapes", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		prom := strings.Replace(emptyPrometheus(t), "http://", "http://bob:prom-pw@", 1)
		res := runIn(t, ns, nil, progress("--webhook", withSecrets(hostile.URL), "--analysis", "sum(up) < 1", "--prometheus", prom, "--inconclusive-limit", "3"))
		if res.code != 4 || !strings.Contains(res.stderr, `frozen ^[[2J\x07 by the board`) || strings.ContainsAny(res.stderr, "\x1b\x07") {
			t.Errorf("want exit 4 with the answer escaped:\nexit %d\n%q", res.code, res.stderr)
		}
		kept := strings.Join([]string{
			kubectl(t, "get", "-n", ns, "lease", "-o", "json").stdout,
			kubectl(t, "get", "-n", ns, "events", "-o", "json").stdout,
			mustShip(t, ns, "history", "ctwoc", "-o", "json").stdout,
			mustShip(t, ns, "status", "ctwoc", "-o", "json").stdout,
		}, "\n")
		for _, secret := range []string{"hook-pw", "prom-pw", "s3cr3t-token", "alice", "bob"} {
			if strings.Contains(kept, secret) {
				t.Errorf("the cluster keeps %q", secret)
			}
		}
		if !strings.Contains(kept, "/x?token=xxxxx") {
			t.Errorf("the record should still say which endpoint it was:\n%s", kept)
		}
	})
	t.Run("a redirect is no answer", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		res := runIn(t, ns, nil, progress("--webhook", redirecting.URL))
		if res.code != 4 || !strings.Contains(res.stderr, "HTTP 307 Temporary Redirect: redirected to "+elsewhere.URL+"/ok, not followed") {
			t.Errorf("want exit 4, the redirect not followed:\nexit %d\n%s", res.code, res.stderr)
		}
	})
}

// A blue whose pods carry a version label the new image cannot vary says
// so, rather than that they carry none.
func TestBlueGreenSaysWhyNotItsVersionLabel(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true})
	res := mustShip(t, ns, "bluegreen", "ctwoc", "--image", "other/ctwoc:1.0.0", "--dry-run=client")
	if want := "note: blue's pods carry version=1.0.0, and the new image's tag is 1.0.0 too, so deployment ctwoc's pod template gets kubectl-ship.dev/color=blue"; !strings.Contains(res.stderr, want) {
		t.Errorf("want %q:\n%s", want, res.stderr)
	}
}
