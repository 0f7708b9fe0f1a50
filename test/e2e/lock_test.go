//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A second operation on a release refuses while the first holds its lock,
// saying which; Ctrl-C on the first stops it cleanly and frees the lock.
func TestOneOperationAtATime(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	// A quota with no room for a canary pod keeps the first canary waiting.
	mustKubectl(t, "create", "quota", "pods", "-n", ns, "--hard=pods=3")

	first := exec.Command("kubectl", "ship", "-n", ns, "canary", "ctwoc", "--image", v2)
	first.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	var stderr bytes.Buffer
	first.Stderr = &stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Process.Kill() })
	eventually(t, "the first canary holds the lock", func() (bool, string) {
		holder := lockHolder(t, ns, "ctwoc")
		return holder != "", holder
	})

	if out := mustShip(t, ns, "status", "ctwoc").stdout; !strings.Contains(out, "Operation: kubectl ship canary ctwoc --image "+v2) {
		t.Errorf("status should show the operation in progress:\n%s", out)
	}
	before := settledSnapshot(t, ns)
	res := ship(t, ns, "abort", "ctwoc")
	if res.code != 1 || !strings.Contains(res.stderr, "release ctwoc is busy: kubectl ship canary ctwoc --image "+v2) {
		t.Errorf("a second operation should refuse, naming the first: exit %d %s", res.code, res.stderr)
	}
	assertUnchanged(t, ns, before)

	if err := first.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err == nil || !strings.Contains(stderr.String(), "interrupted while waiting") || !strings.Contains(stderr.String(), "run the same command again") {
		t.Errorf("Ctrl-C should stop the canary with a way on: %v\n%s", err, stderr.String())
	}
	if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
		t.Errorf("the lock outlived its interrupted operation: held by %s", holder)
	}
	mustShip(t, ns, "abort", "ctwoc")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})

	// The release's record keeps both, the interrupted one with its reason.
	history := mustShip(t, ns, "history", "ctwoc").stdout
	for _, want := range []string{"kubectl ship canary ctwoc --image " + v2, "deployment.apps/ctwoc-canary created; stopped: interrupted while waiting",
		"kubectl ship abort ctwoc", "deployment.apps/ctwoc-canary deleted"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	if events := mustKubectl(t, "get", "events", "-n", ns, "--field-selector", "involvedObject.name=ctwoc"); !strings.Contains(events, "ShipOperation") {
		t.Errorf("no ShipOperation event on the Deployment:\n%s", events)
	}
}
