//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Ctrl-C in a hold leaves the canary at its step and says how to go on or
// back; a status --until promoted waiting in another shell returns once the
// same command, run again, has promoted; another --steps is refused until
// --replace.
func TestProgressionInterrupted(t *testing.T) {
	ns := seedRelease(t, seed{})
	first := startHolding(t, ns, progress("--interval", "60s"))
	if err := first.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	res := first.wait(t)
	for _, want := range []string{"interrupted at step 1 of 2 (25%)", "kubectl ship abort ctwoc"} {
		if res.code == 0 || !strings.Contains(res.stderr, want) {
			t.Errorf("Ctrl-C in the hold: exit %d, want it to say %q:\n%s", res.code, want, res.stderr)
		}
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v1: 3, v2: 1}))
	if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
		t.Errorf("the lock is still held by %s", holder)
	}

	assertRefused(t, ns, 1, "has another progression under way", "canary", "ctwoc", "--image", v2, "--steps", "25,75", "--interval", "3s", "--check-every", "1s")
	until := startIn(t, ns, []string{"ship", "status", "ctwoc", "--until", "promoted", "--timeout", "2m"})
	mustRun(t, ns, progress())
	if res := until.wait(t); res.code != 0 {
		t.Errorf("status --until promoted: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	settledState(t, ns, fmt.Sprint(map[string]int{v2: 3}))
}
