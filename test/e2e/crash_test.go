//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// expected is what an uninterrupted run leaves, and what the recovery then
// leaves.
type expected struct {
	writes                int
	view, served          string
	recoveryView, recover string
}

// TestCrashMatrix kills every multi-step verb right after each of its
// writes (KUBECTL_SHIP_CRASH_AFTER_STEP=N), then (a) runs the same command
// again and (b), in another namespace, the way back (abort, switch to
// blue); either must leave what an uninterrupted run leaves: the same
// Deployments, images, replicas, selectors, Service selectors and affinity,
// ship's annotations, and a free lock. The Service must never go dark.
//
// The cases run concurrently, each in its own namespace, through goroutines
// rather than t.Parallel: go test runs at most -parallel tests at once (3
// in make e2e), and these mostly wait on the cluster. They take their turns
// from matrixSlots, which the race matrix shares: the matrix itself runs
// beside other tests, and the cluster never has more than
// SHIP_E2E_CRASH_PARALLEL (default 8) cells of both at once.
func TestCrashMatrix(t *testing.T) {
	t.Parallel()
	m := newCrashMatrix()
	start := time.Now()
	t.Cleanup(func() { m.log(t, time.Since(start)) })
	slots := matrixSlots
	var rows sync.WaitGroup
	for _, c := range crashCases {
		rows.Add(1)
		go func() {
			defer rows.Done()
			t.Run(c.name, func(t *testing.T) {
				var want expected
				slot(slots, func() { want = c.expected(t) })
				if t.Failed() {
					return
				}
				m.row(c.name, want.writes)
				var cells sync.WaitGroup
				for n := 1; n <= want.writes; n++ {
					for _, mode := range c.modes() {
						cells.Add(1)
						go func() {
							defer cells.Done()
							t.Run(fmt.Sprintf("N=%d/%s", n, mode), func(t *testing.T) {
								slot(slots, func() {
									outcome, fewest := c.crashAndRecover(t, n, mode, want)
									m.set(c.name, n, mode, outcome, fewest)
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
}

func crashParallelism() int {
	return envInt("SHIP_E2E_CRASH_PARALLEL", 8)
}

// matrixSlots are the turns the crash and race matrices share, so that
// running side by side they load the cluster no more than one of them.
var matrixSlots = make(chan struct{}, crashParallelism())

// envInt reads a positive number from the environment, or gives def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func slot(slots chan struct{}, fn func()) {
	slots <- struct{}{}
	defer func() { <-slots }()
	fn()
}

func (c crashCase) modes() []string {
	if c.recovery == nil {
		return []string{"rerun"}
	}
	return []string{"rerun", "recover"}
}

// runIn runs a kubectl command in ns; extraEnv for the crash switch.
func runIn(t *testing.T, ns string, extraEnv []string, args []string) result {
	t.Helper()
	return kubectlEnv(t, extraEnv, append(append([]string{}, args...), "-n", ns)...)
}

func mustRun(t *testing.T, ns string, args []string) result {
	t.Helper()
	res := runIn(t, ns, nil, args)
	if res.code != 0 {
		t.Fatalf("kubectl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// prepare makes the case's precondition in a namespace of its own.
func (c crashCase) prepare(t *testing.T) string {
	t.Helper()
	var ns string
	if c.files != nil {
		ns = walkthroughRelease(t, c.files...)
	} else {
		ns = seedRelease(t, seed{versioned: c.versioned, appOnly: c.appOnly, services: c.services})
	}
	if c.routes != "" {
		apply(t, ns, c.routes)
	}
	for _, args := range c.setup {
		mustRun(t, ns, args)
	}
	return ns
}

// expected runs the command uninterrupted, counting its writes first with
// --dry-run=client -o name (one line per write), then the recovery.
func (c crashCase) expected(t *testing.T) expected {
	ns := c.prepare(t)
	watcher := watchEndpoints(t, ns, "ctwoc")
	routes := c.watchRoutes(t, ns)
	var want expected
	dry := mustRun(t, ns, append(append([]string{}, c.args...), "--dry-run=client", "-o", "name"))
	want.writes = strings.Count(dry.stdout, "\n")
	if want.writes == 0 {
		t.Fatalf("%s plans no write:\n%s", strings.Join(c.args, " "), dry.stderr)
	}
	mustRun(t, ns, c.args)
	want.view, want.served = settledState(t, ns, "")
	if c.recovery != nil {
		mustRun(t, ns, c.recovery)
		if c.recovery[0] != "ship" {
			mustRun(t, ns, []string{"rollout", "status", "deployment/ctwoc", "--timeout=60s"})
		}
		want.recoveryView, want.recover = settledState(t, ns, "")
	}
	watcher.assertNeverDark(t)
	routes.assertAlwaysServed(t)
	return want
}

// settledState waits until the Service's ready endpoints are want, or when
// want is "" until they have not changed for a second, and returns the
// release's view and them.
func settledState(t *testing.T, ns, want string) (view, endpoints string) {
	t.Helper()
	last, since := "", time.Now()
	settled, state := pollUntil(45*time.Second, 100*time.Millisecond, func() (bool, string) {
		got := fmt.Sprint(servedImages(t, ns, "ctwoc"))
		if got != last {
			last, since = got, time.Now()
		}
		if want != "" {
			return got == want, got
		}
		return time.Since(since) >= time.Second && got != "map[]", got
	})
	if !settled {
		t.Errorf("endpoints of service ctwoc: %s, want %s", state, want)
	}
	return releaseView(t, ns), state
}

// crashAndRecover crashes the command after write n, then re-runs it or
// recovers, and says how that ended and the fewest ready endpoints seen.
func (c crashCase) crashAndRecover(t *testing.T, n int, mode string, want expected) (string, int) {
	ns := c.prepare(t)
	watcher := watchEndpoints(t, ns, "ctwoc")
	defer watcher.assertNeverDark(t)
	routes := c.watchRoutes(t, ns)
	defer routes.assertAlwaysServed(t)

	crash := runIn(t, ns, []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=" + strconv.Itoa(n)}, c.args)
	if crash.code != -1 || strings.Count(crash.stdout, "\n") != n {
		t.Errorf("KUBECTL_SHIP_CRASH_AFTER_STEP=%d: want the process killed after %d writes; exit %d\nstdout: %s\nstderr: %s",
			n, n, crash.code, crash.stdout, crash.stderr)
		return "no crash", watcher.fewest()
	}

	outcome := "ok"
	wantView, wantServed, args := want.view, want.served, c.args
	if mode == "recover" {
		wantView, wantServed, args = want.recoveryView, want.recover, c.recovery
	}
	if args[0] != "ship" {
		// kubectl rollout undo finds no history until the Deployment
		// controller has seen the new template: wait for it as a user would.
		waitObserved(t, ns, "ctwoc")
	}
	res := runIn(t, ns, nil, args)
	refused := mode == "recover" && res.code != 0 && c.refusal != "" && strings.Contains(res.stderr, c.refusal)
	switch {
	case refused && c.instead != nil:
		outcome = "ok via " + c.instead[1]
		res = runIn(t, ns, nil, c.instead)
	case refused:
		outcome = "ok, refused: " + c.refusal
		res.code = 0
	}
	if args[0] != "ship" {
		mustRun(t, ns, []string{"rollout", "status", "deployment/ctwoc", "--timeout=60s"})
	}
	if res.code != 0 {
		t.Errorf("kubectl %s after the crash: exit %d\n%s", strings.Join(args, " "), res.code, res.stderr)
		outcome = "exit " + strconv.Itoa(res.code)
	}

	// Every command waits for what it changed, so the objects are final
	// when it returns; the endpoints follow them.
	view := releaseView(t, ns)
	switch {
	case mode == "recover" && c.trafficOnly:
		if _, endpoints := settledState(t, ns, wantServed); endpoints != wantServed {
			outcome = "DIFFERS"
		}
	case view != wantView:
		t.Errorf("after the crash at write %d and %s the release differs from an uninterrupted run:\ngot:\n%s\nwant:\n%s", n, mode, view, wantView)
		outcome = "DIFFERS"
	default:
		if _, endpoints := settledState(t, ns, wantServed); endpoints != wantServed {
			outcome = "DIFFERS"
		}
	}
	// A command that had nothing left to write never took the lock, so
	// only one that ran through ship can have freed it.
	if holder := lockHolder(t, ns, "ctwoc"); holder != "" && args[0] == "ship" {
		t.Errorf("after the crash at write %d and %s the release's lock is still held by %s", n, mode, holder)
		outcome += ", lock held"
	}
	fewest := watcher.fewest()
	if fewest < 1 {
		outcome += fmt.Sprintf(", DARK (%d ready)", fewest)
	}
	if dark := routes.darkChecks(); dark > 0 {
		outcome += fmt.Sprintf(", ROUTE DARK (%d checks)", dark)
	}
	return outcome, fewest
}

// watchRoutes watches the routes of the case's release, if it has any.
func (c crashCase) watchRoutes(t *testing.T, ns string) *routeWatcher {
	if c.routes == "" {
		return nil
	}
	return watchRouteBackends(t, ns, "ctwoc")
}

// waitObserved waits until the Deployment controller has seen the latest
// generation of Deployment name.
func waitObserved(t *testing.T, ns, name string) {
	t.Helper()
	if ok, state := pollUntil(30*time.Second, 100*time.Millisecond, func() (bool, string) {
		d, err := apiClient(t).AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return d.Status.ObservedGeneration >= d.Generation, fmt.Sprintf("generation %d, observed %d", d.Generation, d.Status.ObservedGeneration)
	}); !ok {
		t.Fatalf("deployment %s: %s", name, state)
	}
}
