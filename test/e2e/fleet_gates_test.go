//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A release missing in a wave-2 cluster is found before the first write:
// every cluster plans the operation first, so wave 1 is never touched, the
// table says which cluster refused, and no rollback is offered for what
// nothing changed. A dry run rolls nothing back.
func TestFleetRefusesBeforeTheFirstWrite(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	if err := fleetEnv.clients["fleet-b"].AppsV1().Deployments(ns).Delete(context.Background(), "ctwoc", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	untouched := clusterSnapshot(t, fleetEnv.clients["fleet-a"], ns)
	args := []string{"canary", "ctwoc", "--image", v2, "--weight", "25", "--wave", "fleet-a", "--wave", "fleet-b", "--soak", "1s"}
	res := fleetShip(t, nil, ns, args...)
	if res.code == 0 || !regexp.MustCompile(`(?m)^2 +fleet-b +refused +deployment ctwoc not found in namespace `+ns+`$`).MatchString(res.stdout) ||
		!strings.Contains(res.stderr, "nothing changed: fleet-b would refuse the operation") || strings.Contains(res.stdout, "To roll back") {
		t.Errorf("want a refusal before any write:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if now := clusterSnapshot(t, fleetEnv.clients["fleet-a"], ns); now != untouched {
		t.Errorf("fleet-a was written to:\n%s\n%s", untouched, now)
	}
	dry := fleetShip(t, nil, ns, append(args, "--dry-run=client")...)
	if dry.code == 0 || strings.Contains(dry.stderr, "rolling back") {
		t.Errorf("a dry run rolls nothing back:\nexit %d\n%s%s", dry.code, dry.stdout, dry.stderr)
	}
}

// Killed in the last wave's soak, the same command soaks that wave again
// rather than answer that every wave is done. The soak's webhook is told
// where it checks: the context and its API server, the release, the
// canary's weight and the one it saw, the phase.
func TestFleetResumesTheLastSoak(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	var mu sync.Mutex
	var told []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var p map[string]any
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		told = append(told, p)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	args := []string{"canary", "ctwoc", "--image", v2, "--weight", "25", "--webhook", hook.URL,
		"--check-every", "1s", "--wave", "fleet-a", "--wave", "fleet-b", "--soak", "8s"}
	first := startWith(t, fleetEnv.kubeconfig, ns, append([]string{"ship"}, args...))
	t.Cleanup(func() { _ = first.cmd.Process.Kill() })
	waitSoaking(t, "fleet-b", ns)
	_ = first.cmd.Process.Kill()
	_ = first.cmd.Wait()
	res := fleetShip(t, nil, ns, args...)
	if res.code != 0 || !strings.Contains(res.stderr, "wave 2/2 (fleet-b): its soak may have been cut short: soaking again") ||
		!regexp.MustCompile(`(?m)^2 +fleet-b +already done +.*healthy for 8s`).MatchString(res.stdout) {
		t.Errorf("the last wave's soak should be held again:\nexit %d\n%s%s\n(first run: %s)", res.code, res.stdout, res.stderr, first.stderr.String())
	}
	if again := fleetShip(t, nil, ns, args...); again.code != 0 || strings.Contains(again.stderr, "soaking again") {
		t.Errorf("once soaked, the same command is done:\nexit %d\n%s", again.code, again.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) == 0 {
		t.Fatal("the webhook was never called")
	}
	p := told[len(told)-1]
	for field, want := range map[string]any{"apiVersion": "kubectl-ship.dev/v1alpha1", "kind": "GateRequest", "context": "fleet-b",
		"namespace": ns, "release": "ctwoc", "weight": 25.0, "actualWeight": 25.0, "phase": "Soaking"} {
		if p[field] != want {
			t.Errorf("the webhook was told %s=%v, want %v (%v)", field, p[field], want, p)
		}
	}
	if server, _ := p["server"].(string); !strings.HasPrefix(server, "https://127.0.0.1:") {
		t.Errorf("the webhook was told server %v", p["server"])
	}
}

// waitSoaking waits until cluster's canary is made and its lock freed: the
// fleet's wave soaks there.
func waitSoaking(t *testing.T, cluster, ns string) {
	t.Helper()
	eventually(t, cluster+"'s canary made and its lock freed: the soak", func() (bool, string) {
		holder, created := fleetLock(t, cluster, ns)
		return canaryOf(t, cluster, ns) != nil && !created.IsZero() && holder == "", holder
	})
}
