//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
)

// errorRate is the analysis of the tests: the canary's share of 5xx answers,
// from the exporter's counters of the test's namespace (its app label).
const errorRate = `sum(rate(http_requests_total{app="{{.Namespace}}",track="canary",code=~"5.."}[5s])) / sum(rate(http_requests_total{app="{{.Namespace}}",track="canary"}[5s])) < 0.1`

// progress are the flags of a quick progression: 25% then 50% of the
// seed's three stable pods, each held for 3 s with a check every second.
func progress(extra ...string) []string {
	return append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25,50", "--interval", "3s",
		"--check-every", "1s", "--ready-grace", "3s"}, extra...)
}

// TestProgressions runs canaries that advance by themselves, against a real
// Prometheus scraping an exporter the test drives, and the built-in gates
// on pods that kwok's fault stages break. The cases run at once, each in a
// namespace of its own; each Prometheus query is scoped by namespace.
func TestProgressions(t *testing.T) {
	exp := newExporter(t)
	prom := startPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	analysis := []string{"--analysis", errorRate, "--prometheus", prom.URL, "--interval", "8s"}
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(ok.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "release frozen by the change board\nsecond line", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(15 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)

	cases := []struct {
		name     string
		errors   float64 // the canary's error ratio (-1: no traffic at all)
		args     []string
		code     int
		reason   string // in the error, and the record's reason
		promoted bool
	}{
		{"healthy: every step, then promoted", 0.01, progress(append(analysis, "--webhook", ok.URL)...), 0, "", true},
		{"20% errors: rolled back at the first step", 0.2, progress(append(analysis, "--sticky")...), 4, "is not < 0.1", false},
		{"no data: inconclusive, then a failure", -1, progress("--analysis", errorRate, "--prometheus", prom.URL, "--interval", "10s"), 4, "no data", false},
		{"crash loop", 0, []string{"ship", "canary", "ctwoc", "--image", "example/ctwoc:crashloop", "--steps", "25,50", "--interval", "3s", "--check-every", "1s"}, 4, "CrashLoopBackOff", false},
		{"image pull failure", 0, []string{"ship", "canary", "ctwoc", "--image", "example/ctwoc:pullfail", "--steps", "25,50", "--interval", "3s", "--check-every", "1s"}, 4, "ImagePull", false},
		{"never ready", 0, []string{"ship", "canary", "ctwoc", "--image", "example/ctwoc:notready", "--steps", "25,50", "--interval", "3s", "--check-every", "1s", "--ready-grace", "3s"}, 4, "not Ready for", false},
		{"webhook answering 500", 0, progress("--webhook", failing.URL), 4, "HTTP 500 Internal Server Error: release frozen by the change board", false},
		{"webhook not answering", 0, progress("--webhook", slow.URL, "--interval", "12s"), 4, "webhook " + slow.URL, false},
	}
	slots := make(chan struct{}, crashParallelism())
	var wg sync.WaitGroup
	for _, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(tc.name, func(t *testing.T) {
				slot(slots, func() {
					ns := seedRelease(t, seed{})
					if tc.errors >= 0 {
						exp.setTraffic(ns, "canary", 100, tc.errors)
						waitForData(t, prom, ns)
					}
					watcher := watchEndpoints(t, ns, "ctwoc")
					start := time.Now()
					res := runIn(t, ns, nil, tc.args)
					took := time.Since(start)
					if res.code != tc.code || !strings.Contains(res.stderr, tc.reason) {
						t.Errorf("exit %d after %s, want %d and %q:\n%s%s", res.code, took.Round(time.Second), tc.code, tc.reason, res.stdout, res.stderr)
					}
					want, phase := v1, "RolledBack"
					if tc.promoted {
						want, phase = v2, "Promoted"
					}
					settled, _ := settledState(t, ns, fmt.Sprint(map[string]int{want: 3}))
					if strings.Contains(settled, "ctwoc-canary") || strings.Contains(settled, "ClientIP") {
						t.Errorf("the canary should be gone and the Service as it was:\n%s", settled)
					}
					if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != phase || !strings.Contains(st.Progression.Reason, tc.reason) {
						t.Errorf("status: progression %+v, want phase %s", st.Progression, phase)
					}
					if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
						t.Errorf("the lock is still held by %s", holder)
					}
					watcher.assertNeverDark(t)
					t.Logf("exit %d after %s", res.code, took.Round(100*time.Millisecond))
				})
			})
		}()
	}
	wg.Wait()
}

// waitForData waits until Prometheus has enough samples of namespace ns's
// traffic to answer errorRate: a few scrapes after the test set it.
func waitForData(t *testing.T, prom *prometheusServer, ns string) {
	t.Helper()
	a, err := gate.ParseAnalysis(errorRate)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gate.NewAnalysisGate(a, gate.Vars{Namespace: ns}, &gate.Prometheus{URL: prom.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "data for namespace "+ns, func() (bool, string) {
		r := g.Check(context.Background())
		return r.Verdict != gate.Inconclusive, r.String()
	})
}

// Prometheus stopped in the middle of a hold: its checks are inconclusive,
// two of them a failure, recorded with the reason, and the canary goes.
func TestProgressionPrometheusDown(t *testing.T) {
	exp := newExporter(t)
	prom := startPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	ns := seedRelease(t, seed{})
	exp.setTraffic(ns, "canary", 100, 0)
	waitForData(t, prom, ns)
	run := startIn(t, ns, progress("--analysis", errorRate, "--prometheus", prom.URL, "--interval", "60s"))
	eventually(t, "a check of the analysis passed", func() (bool, string) {
		st := shipStatus(t, ns, "ctwoc")
		for _, g := range st.Progression.Gates {
			if strings.HasPrefix(g.Gate, "sum(") && g.Verdict == "Pass" {
				return true, ""
			}
		}
		return false, fmt.Sprint(st.Progression)
	})
	prom.stop()
	res := run.wait(t)
	if res.code != 4 || !strings.Contains(res.stderr, "connection refused") || !strings.Contains(res.stderr, "inconclusive 2 times in a row") {
		t.Errorf("want exit 4 with the reason; got %d:\n%s", res.code, res.stderr)
	}
	// -o json: the text cuts a long result.
	if history := mustShip(t, ns, "history", "ctwoc", "-o", "json").stdout; !strings.Contains(history, "connection refused") || !strings.Contains(history, "deployment.apps/ctwoc-canary deleted") {
		t.Errorf("the record should keep the reason and the rollback:\n%s", history)
	}
}

// A progression stopped at any write, or killed in a hold, resumes where
// its record says when the same command runs again, and ends as an
// uninterrupted one: promoted, the lock free, the Service never dark.
func TestProgressionResumes(t *testing.T) {
	args := progress()
	// The uninterrupted run writes: the canary created, resized, the stable
	// rolled to it, the canary deleted.
	for n := 1; n <= 4; n++ {
		t.Run("crash after write "+strconv.Itoa(n), func(t *testing.T) {
			ns := seedRelease(t, seed{})
			watcher := watchEndpoints(t, ns, "ctwoc")
			if crash := runIn(t, ns, []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=" + strconv.Itoa(n)}, args); crash.code != -1 {
				t.Fatalf("want the process killed after write %d; exit %d\n%s", n, crash.code, crash.stderr)
			}
			mustRun(t, ns, args)
			settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
			if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
				t.Errorf("the lock is still held by %s", holder)
			}
			watcher.assertNeverDark(t)
		})
	}
	t.Run("killed in a hold", func(t *testing.T) {
		ns := seedRelease(t, seed{})
		first := startHolding(t, ns, progress("--interval", "60s"))
		_ = first.cmd.Process.Kill()
		_ = first.cmd.Wait()
		// The same progression (the interval is no part of it) resumes: the
		// canary exists, the first step's hold starts over.
		res := mustRun(t, ns, args)
		if strings.Contains(res.stdout, "created") || !strings.Contains(res.stderr, "holding step 1 of 2") {
			t.Errorf("the re-run should resume at the first step's hold:\n%s%s", res.stdout, res.stderr)
		}
		settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
	})
}

// Abort from another shell stops a progression in its hold at once: the
// first command says who stopped it, the canary goes, nothing twice.
func TestAbortStopsAProgression(t *testing.T) {
	ns := seedRelease(t, seed{})
	first := startHolding(t, ns, progress("--interval", "60s"))
	abort := mustShip(t, ns, "abort", "ctwoc")
	res := first.wait(t)
	if res.code != 1 || !strings.Contains(res.stderr, "stopped for kubectl ship abort ctwoc") || abort.stdout != "deployment.apps/ctwoc-canary deleted\n" {
		t.Errorf("progression: exit %d\n%s\nabort: %s", res.code, res.stderr, abort.stdout)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v1: 3}))
}

// A pause holds the canary there while the command awaits an approval:
// Ctrl-C leaves it paused, running the command again awaits the same pause,
// and promote from another shell makes it give way and promotes.
func TestProgressionPause(t *testing.T) {
	ns := seedRelease(t, seed{})
	args := progress("--steps", "25,pause,50")
	first := startIn(t, ns, args)
	awaitingApproval(t, ns)
	_ = first.cmd.Process.Signal(os.Interrupt)
	if res := first.wait(t); res.code != 1 || !strings.Contains(res.stderr, "paused at step 2 of 3, the canary at 25%: awaiting approval") ||
		!strings.Contains(res.stderr, "interrupted at step 2 of 3 awaiting approval") {
		t.Errorf("Ctrl-C at the pause: exit %d\n%s", res.code, res.stderr)
	}
	if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "Paused" {
		t.Errorf("status: %+v", st.Progression)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v1: 3, v2: 1}))
	again := startIn(t, ns, args)
	eventually(t, "the same pause awaited again", func() (bool, string) {
		return strings.Contains(again.stderr.String(), "awaiting approval at step 2 of 3"), again.stderr.String()
	})
	mustShip(t, ns, "promote", "ctwoc")
	if res := again.wait(t); !strings.Contains(res.stderr, "stopped for kubectl ship promote ctwoc") {
		t.Errorf("the run awaiting approval should give way to promote: exit %d\n%s", res.code, res.stderr)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
}

// Blue-green gets the same gates: a new color that fails them is never
// switched to; a switch that fails them is switched back.
func TestBlueGreenVerification(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	ns := seedRelease(t, seed{versioned: true})
	res := runIn(t, ns, nil, []string{"ship", "bluegreen", "ctwoc", "--image", "example/ctwoc:crashloop", "--verify-for", "3s", "--check-every", "1s"})
	if res.code != 4 || !strings.Contains(res.stderr, "CrashLoopBackOff") {
		t.Errorf("bluegreen of a crashing image: exit %d\n%s", res.code, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})

	mustRun(t, ns, []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--verify-for", "2s", "--check-every", "1s"})
	watcher := watchEndpoints(t, ns, "ctwoc")
	res = runIn(t, ns, nil, []string{"ship", "bluegreen-switch", "ctwoc", "--verify-for", "3s", "--check-every", "1s", "--webhook", failing.URL})
	if res.code != 4 || !strings.Contains(res.stdout, "service/ctwoc switched to green\nservice/ctwoc switched to blue\n") || !strings.Contains(res.stderr, "HTTP 503") {
		t.Errorf("switch that fails its verification: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	watcher.assertNeverDark(t)
}

// startHolding starts a command of ctwoc's that holds (a progression's step,
// a verified switch) and returns once its gates have been checked.
func startHolding(t *testing.T, ns string, args []string) *started {
	t.Helper()
	return startHoldingRelease(t, ns, "ctwoc", args)
}

// startHoldingRelease is startHolding for release name.
func startHoldingRelease(t *testing.T, ns, name string, args []string) *started {
	t.Helper()
	s := startIn(t, ns, args)
	eventually(t, "the hold's first check", func() (bool, string) {
		// A read while the command writes may see the route before ship's
		// Service it names, and say degraded (exit 1): read again.
		res := ship(t, ns, "status", name, "-o", "json")
		var st releaseStatus
		if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
			return false, res.stderr
		}
		return st.Progression.Phase == "Progressing" && len(st.Progression.Gates) > 0, fmt.Sprint(st.Progression)
	})
	return s
}
