//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bgSwitch is bluegreen-switch of release ctwoc with args, checking every
// second.
func bgSwitch(args ...string) []string {
	return append([]string{"ship", "bluegreen-switch", "ctwoc", "--check-every", "1s"}, args...)
}

// Through an HTTPRoute, --steps shifts green's share of the traffic step by
// step, each held while the gates are checked, then all of it; a failing
// check at any step puts the route back exactly as it was.
func TestBlueGreenStepsThroughAnHTTPRoute(t *testing.T) {
	const shares = `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":%d},{"group":"","kind":"Service","name":"ctwoc-green","port":80,"weight":%d}]`
	const original = `[{"group":"","kind":"Service","name":"ctwoc","port":80,"weight":1}]`
	t.Run("every step held, then all of the traffic", func(t *testing.T) {
		ns := seedRelease(t, seed{versioned: true})
		apply(t, ns, httpRoute("ctwoc", "ctwoc"))
		rulesBefore := routeRules(t, ns, "ctwoc")
		watcher := watchRouteBackends(t, ns, "ctwoc")
		mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)

		res := mustRun(t, ns, bgSwitch("--steps", "10,50", "--interval", "2s", "--verify-for", "2s"))
		for _, want := range []string{
			"httproute.gateway.networking.k8s.io/ctwoc sends 10% to green\n",
			"httproute.gateway.networking.k8s.io/ctwoc sends 50% to green\n",
			"httproute.gateway.networking.k8s.io/ctwoc switched to green\n",
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("stdout should say %q:\n%s", want, res.stdout)
			}
		}
		for _, want := range []string{"switch to green: 1 10% held 2s; 2 50% held 2s; 3 all of the traffic held 2s", "holding step 1 of 3 (10%)", "holding step 2 of 3 (50%)", "holding step 3 of 3 (100%)"} {
			if !strings.Contains(res.stderr, want) {
				t.Errorf("stderr should say %q:\n%s", want, res.stderr)
			}
		}
		if rules := routeRules(t, ns, "ctwoc"); rules[0] != strings.Replace(rulesBefore[0], original, fmt.Sprintf(shares, 0, 100), 1) {
			t.Errorf("switched rules:\n%s", strings.Join(rules, "\n"))
		}
		if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "Complete" || st.Progression.Step != 2 {
			t.Errorf("status: %+v", st.Progression)
		}
		if res := mustRun(t, ns, bgSwitch("--steps", "10,50", "--interval", "2s", "--verify-for", "2s")); res.stdout != "" {
			t.Errorf("held to the end, the same command changes nothing:\n%s%s", res.stdout, res.stderr)
		}
		watcher.assertAlwaysServed(t)
	})
	t.Run("a failing check rolls back", func(t *testing.T) {
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "frozen", http.StatusServiceUnavailable)
		}))
		t.Cleanup(failing.Close)
		ns := seedRelease(t, seed{versioned: true})
		apply(t, ns, httpRoute("ctwoc", "ctwoc"))
		before := routeSpec(t, ns, "ctwoc")
		watcher := watchRouteBackends(t, ns, "ctwoc")
		mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)

		res := runIn(t, ns, nil, bgSwitch("--steps", "10,50", "--interval", "3s", "--webhook", failing.URL))
		if res.code != 4 || !strings.Contains(res.stderr, "HTTP 503") || !strings.Contains(res.stdout, "sends 10% to green") || strings.Contains(res.stdout, "50%") {
			t.Errorf("want exit 4 at the first step:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if after := routeSpec(t, ns, "ctwoc"); after != before {
			t.Errorf("rolled back, the route's spec differs:\n got %s\nwant %s", after, before)
		}
		if got := releaseView(t, ns); strings.Contains(got, "service/ctwoc-green") {
			t.Errorf("green's Service should be gone:\n%s", got)
		}
		if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "RolledBack" || !strings.Contains(st.Progression.Reason, "HTTP 503") {
			t.Errorf("status: %+v", st.Progression)
		}
		if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
			t.Errorf("the lock is still held by %s", holder)
		}
		watcher.assertAlwaysServed(t)
	})
	t.Run("killed in a hold, resumed there", func(t *testing.T) {
		ns := seedRelease(t, seed{versioned: true})
		apply(t, ns, httpRoute("ctwoc", "ctwoc"))
		rulesBefore := routeRules(t, ns, "ctwoc")
		mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
		first := startHolding(t, ns, bgSwitch("--steps", "10,50", "--interval", "60s"))
		_ = first.cmd.Process.Kill()
		_ = first.cmd.Wait()
		// The interval is no part of the record: a shorter one resumes.
		res := mustRun(t, ns, bgSwitch("--steps", "10,50", "--interval", "2s"))
		if strings.Contains(res.stdout, "created") || strings.Contains(res.stdout, "sends 10%") || !strings.Contains(res.stderr, "holding step 1 of 3 (10%)") {
			t.Errorf("the re-run should resume at the first step's hold:\n%s%s", res.stdout, res.stderr)
		}
		if rules := routeRules(t, ns, "ctwoc"); rules[0] != strings.Replace(rulesBefore[0], original, fmt.Sprintf(shares, 0, 100), 1) {
			t.Errorf("switched rules:\n%s", strings.Join(rules, "\n"))
		}
	})
}

// A verified switch killed while it holds resumes its verification, not
// "nothing to switch".
func TestBlueGreenVerificationResumes(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true})
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	first := startHolding(t, ns, bgSwitch("--verify-for", "60s"))
	_ = first.cmd.Process.Kill()
	_ = first.cmd.Wait()
	res := mustRun(t, ns, bgSwitch("--verify-for", "2s"))
	if strings.Contains(res.stdout, "switched") || !strings.Contains(res.stderr, "holding step 1 of 1 (100%)") {
		t.Errorf("the re-run should hold the verification again:\n%s%s", res.stdout, res.stderr)
	}
	if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "Complete" {
		t.Errorf("status: %+v", st.Progression)
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
}

// A canary's progression through an HTTPRoute: each step an exact weight;
// promoted, or rolled back by a failing check, the route's spec ends byte
// for byte as it was.
func TestCanaryStepsThroughAnHTTPRoute(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "frozen", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		image string
	}{
		{"promoted", nil, 0, v2},
		{"rolled back", []string{"--webhook", failing.URL}, 4, v1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := seedRelease(t, seed{})
			apply(t, ns, httpRoute("ctwoc", "ctwoc"))
			before := routeSpec(t, ns, "ctwoc")
			watcher := watchRouteBackends(t, ns, "ctwoc")
			args := append([]string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "5,20", "--interval", "2s", "--check-every", "1s"}, tc.args...)
			res := runIn(t, ns, nil, args)
			if res.code != tc.code || !strings.Contains(res.stderr, "holding step 1 of 2 (5%)") {
				t.Errorf("exit %d, want %d:\n%s%s", res.code, tc.code, res.stdout, res.stderr)
			}
			if after := routeSpec(t, ns, "ctwoc"); after != before {
				t.Errorf("the route's spec differs:\n got %s\nwant %s", after, before)
			}
			settled, _ := settledState(t, ns, fmt.Sprint(map[string]int{tc.image: 3}))
			if strings.Contains(settled, "ctwoc-canary") || strings.Contains(settled, "ctwoc-stable") {
				t.Errorf("ship's Deployment and Services should be gone:\n%s", settled)
			}
			watcher.assertAlwaysServed(t)
		})
	}
}
