//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Every writing verb runs across the fleet as in one cluster: blue-green
// brought up everywhere, switched in two waves and back, ended; then the
// release scaled, an image set, a canary started and aborted. Each cluster
// ends as one cluster would, its lock free.
func TestFleetOtherVerbs(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	all := []string{"--contexts", "fleet-[abc]"}
	run := func(args ...string) result {
		t.Helper()
		res := fleetShip(t, nil, ns, args...)
		if res.code != 0 {
			t.Fatalf("kubectl ship %s: exit %d\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
		}
		for _, c := range fleetContexts {
			if !strings.Contains(res.stdout, "["+c+"] ") {
				t.Errorf("kubectl ship %s: no result line of %s:\n%s", strings.Join(args, " "), c, res.stdout)
			}
		}
		return res
	}
	// each checks one cluster's release after a step.
	each := func(step string, check func(c string) string) {
		t.Helper()
		for _, c := range fleetContexts {
			if problem := check(c); problem != "" {
				t.Errorf("after %s, %s: %s", step, c, problem)
			}
			if holder, _ := fleetLock(t, c, ns); holder != "" {
				t.Errorf("after %s, %s: lock left held by %s", step, c, holder)
			}
		}
	}
	ctx := context.Background()
	selects := func(color string) func(string) string {
		return func(c string) string {
			svc, err := fleetEnv.clients[c].CoreV1().Services(ns).Get(ctx, "ctwoc", metav1.GetOptions{})
			if err != nil {
				return err.Error()
			}
			if got := svc.Spec.Selector["kubectl-ship.dev/color"]; got != color {
				return "service ctwoc selects color " + got + ", want " + color
			}
			return ""
		}
	}
	stable := func(want func(replicas int32, image string) string) func(string) string {
		return func(c string) string {
			d, err := fleetEnv.clients[c].AppsV1().Deployments(ns).Get(ctx, "ctwoc", metav1.GetOptions{})
			if err != nil {
				return err.Error()
			}
			return want(*d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
		}
	}

	run(append([]string{"bluegreen", "ctwoc", "--image", v2}, all...)...)
	each("bluegreen", selects("blue"))
	run("bluegreen-switch", "ctwoc", "--wave", "fleet-a", "--wave", "fleet-[bc]")
	each("bluegreen-switch", selects("green"))
	run(append([]string{"bluegreen-switch", "ctwoc", "--to", "blue"}, all...)...)
	each("bluegreen-switch --to blue", selects("blue"))
	run(append([]string{"bluegreen", "cleanup", "ctwoc", "--delete"}, all...)...)
	each("bluegreen cleanup --delete", func(c string) string {
		if _, err := fleetEnv.clients[c].AppsV1().Deployments(ns).Get(ctx, "ctwoc-green", metav1.GetOptions{}); err == nil {
			return "deployment ctwoc-green is still there"
		}
		return ""
	})
	run(append([]string{"scale", "ctwoc", "--replicas", "4"}, all...)...)
	run(append([]string{"set", "image", "ctwoc", v3}, all...)...)
	each("scale and set image", stable(func(replicas int32, image string) string {
		if replicas != 4 || image != v3 {
			return fmt.Sprintf("stable runs %s at %d replicas", image, replicas)
		}
		return ""
	}))
	run(append([]string{"canary", "ctwoc", "--image", v2}, all...)...)
	each("canary", func(c string) string {
		if canaryOf(t, c, ns) == nil {
			return "no canary"
		}
		return ""
	})
	run(append([]string{"abort", "ctwoc"}, all...)...)
	each("abort", func(c string) string {
		if canaryOf(t, c, ns) != nil {
			return "the canary is still there"
		}
		return ""
	})
}

// --on-failure stop leaves the cluster that failed as it is, for a person
// to look at: its canary stays, later waves are untouched.
func TestFleetOnFailureStop(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	untouched := clusterSnapshot(t, fleetEnv.clients["fleet-c"], ns)
	res := fleetShip(t, nil, ns, append(threeWaves("example/ctwoc:flaky", "2s"), "--on-failure", "stop")...)
	if res.code != 1 || !regexp.MustCompile(`(?m)^2 +fleet-b +failed +deployment.apps/ctwoc-canary created; .*CrashLoopBackOff`).MatchString(res.stdout) {
		t.Fatalf("exit %d, want 1 and fleet-b failed:\n%s%s", res.code, res.stdout, res.stderr)
	}
	if canaryOf(t, "fleet-a", ns) == nil || canaryOf(t, "fleet-b", ns) == nil {
		t.Error("want the canaries of fleet-a and fleet-b left as they are")
	}
	if now := clusterSnapshot(t, fleetEnv.clients["fleet-c"], ns); now != untouched {
		t.Errorf("fleet-c was written to:\n%s\n%s", untouched, now)
	}
}

// A dry run across contexts plans in every cluster, prints each result
// line with its context, and writes nothing anywhere.
func TestFleetDryRun(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	before := fleetSnapshots(t, ns)
	for mode, said := range map[string]string{"client": "(dry run)", "server": "(server dry run)"} {
		res := fleetShip(t, nil, ns, "canary", "ctwoc", "--image", v2, "--wave", "fleet-a", "--wave", "fleet-[bc]", "--dry-run="+mode)
		if res.code != 0 {
			t.Fatalf("--dry-run=%s: exit %d\n%s%s", mode, res.code, res.stdout, res.stderr)
		}
		for _, c := range fleetContexts {
			if want := "[" + c + "] deployment.apps/ctwoc-canary created " + said; !strings.Contains(res.stdout, want) {
				t.Errorf("--dry-run=%s: no line %q:\n%s", mode, want, res.stdout)
			}
			if now := clusterSnapshot(t, fleetEnv.clients[c], ns); now != before[c] {
				t.Errorf("--dry-run=%s wrote to %s:\n%s\n%s", mode, c, before[c], now)
			}
		}
	}
}
