//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// leaseAnnotation is an annotation of release ctwoc's lock.
func leaseAnnotation(t *testing.T, ns, key string) string {
	t.Helper()
	return mustKubectl(t, "get", "lease", "kubectl-ship-ctwoc", "-n", ns, "-o", "jsonpath={.metadata.annotations."+strings.NewReplacer(".", `\.`, "/", `\/`).Replace(key)+"}")
}

// A record that cannot be read is said, and never written over: the next
// command keeps it beside a new one. An entry that cannot be read shows in
// its place, the entries after it too; a long field is cut in the table.
func TestUnreadableRecordsAreKept(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	mustKubectl(t, "annotate", "lease", "kubectl-ship-ctwoc", "-n", ns, "--overwrite", "kubectl-ship.dev/history={not json")
	if out := mustShip(t, ns, "history", "ctwoc").stdout; !strings.Contains(out, "The record of kubectl-ship operations cannot be read") || strings.Contains(out, "No kubectl-ship operations recorded") {
		t.Errorf("history should say the record cannot be read:\n%s", out)
	}
	res := mustShip(t, ns, "abort", "ctwoc")
	if !strings.Contains(res.stderr, "warning: the record of release ctwoc (lease kubectl-ship-ctwoc) cannot be read") {
		t.Errorf("abort should say so before it acts:\n%s", res.stderr)
	}
	if kept := leaseAnnotation(t, ns, "kubectl-ship.dev/history-unreadable"); kept != "{not json" {
		t.Errorf("the unreadable record should be kept beside the new one, got %q", kept)
	}
	out := mustShip(t, ns, "history", "ctwoc").stdout
	if !strings.Contains(out, "kubectl ship abort ctwoc") || !strings.Contains(out, "annotation kubectl-ship.dev/history-unreadable") {
		t.Errorf("history should show the new record and where the old one is:\n%s", out)
	}

	record := `[{"time":"not-a-time","command":"kubectl ship canary ctwoc"},{"time":"2026-11-25T10:00:00Z","command":"kubectl ship promote ctwoc","changes":["` + strings.Repeat("x", 200000) + `"]}]`
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{"kubectl-ship.dev/history": record}}})
	if _, err := apiClient(t).CoordinationV1().Leases(ns).Patch(context.Background(), "kubectl-ship-ctwoc", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("%.300v", err)
	}
	out = mustShip(t, ns, "history", "ctwoc").stdout
	if !strings.Contains(out, `unreadable entry, kept as it is: parsing time "not-a-time"`) || !strings.Contains(out, "kubectl ship promote ctwoc") ||
		!strings.Contains(out, "more characters: -o json shows all") || len(out) > 5000 {
		t.Errorf("history (%d bytes):\n%.3000s", len(out), out)
	}
	if js := mustShip(t, ns, "history", "ctwoc", "-o", "json").stdout; !strings.Contains(js, strings.Repeat("x", 200000)) {
		t.Error("-o json should carry the whole field")
	}
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	if got := leaseAnnotation(t, ns, "kubectl-ship.dev/history"); !strings.HasPrefix(got, `[{"time":"not-a-time","command":"kubectl ship canary ctwoc"}`) {
		t.Errorf("the unreadable entry should stay as written: %.200s", got)
	}
}

// Smaller things of routes: a resize without --header says which rule goes;
// a rule to two ports of the Service is named; a progression through an
// Ingress counts the pods each step's canary gets.
func TestRouteSmallerThings(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "5", "--header", "X-Canary=always")
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "20")
	if !strings.Contains(res.stderr, "warning: the route's rules that send header X-Canary=always to the canary go, as this command does not ask for them: give --header X-Canary=always again to keep them") {
		t.Errorf("the resize should say the header rule goes:\n%s", res.stderr)
	}
	mustShip(t, ns, "abort", "ctwoc")

	apply(t, ns, strings.Replace(httpRoute("ports", "ctwoc"), "    - name: ctwoc\n      port: 80\n", "    - name: ctwoc\n      port: 80\n    - name: ctwoc\n      port: 9090\n", 1))
	assertRefused(t, ns, 1, "rule 1 of httproute ports sends traffic to service ctwoc on ports 80 and 9090: kubectl-ship only splits rules that send it to one port of service ctwoc",
		"canary", "ctwoc", "--image", v2, "--weight", "5", "--route", "httproute/ports")

	other := seedRelease(t, seed{})
	apply(t, other, trackService+"---\n"+userIngress)
	res = mustShip(t, other, "canary", "ctwoc", "--image", v2, "--steps", "10,50", "--interval", "1s", "--check-every", "1s", "--route", "ingress/ctwoc", "--dry-run=client")
	if !strings.Contains(res.stderr, "progression: 1 10% (1 canary pod) held 1s; 2 50% (2 canary pods) held 1s") {
		t.Errorf("the schedule should count the pods each step gets:\n%s", res.stderr)
	}
}
