//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Another client writes to the stable Deployment and the Service while a
// promote waits: the promote's later writes are planned against an older
// resourceVersion, conflict, and are planned again from a fresh read, so
// nobody's change is lost. ship's writes show in managedFields.
func TestConcurrentWriterDuringPromote(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--sticky")
	if fields := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}"); !strings.Contains(fields, "kubectl-ship") {
		t.Errorf("managedFields of the Service do not name kubectl-ship: %s", fields)
	}
	// 3 stable and 1 canary pod fill the quota: the stable rollout that
	// promote starts cannot surge, so promote waits.
	mustKubectl(t, "create", "quota", "pods", "-n", ns, "--hard=pods=4")
	promote := exec.Command("kubectl", "ship", "-n", ns, "promote", "ctwoc", "--timeout", "90s")
	promote.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	var out strings.Builder
	promote.Stdout, promote.Stderr = &out, &out
	if err := promote.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "promote rolled the stable template", func() (bool, string) {
		image := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
		return image == v2, image
	})
	mustKubectl(t, "annotate", "-n", ns, "deployment/ctwoc", "team=checkout")
	mustKubectl(t, "label", "-n", ns, "service/ctwoc", "tier=web")
	mustKubectl(t, "delete", "quota", "pods", "-n", ns)
	if err := promote.Wait(); err != nil {
		t.Fatalf("promote: %v\n%s", err, out.String())
	}
	eventuallyServed(t, ns, "ctwoc", map[string]int{v2: 3})
	if got := mustKubectl(t, "get", "svc", "ctwoc", "-n", ns, "-o", "jsonpath={.metadata.labels.tier} {.spec.sessionAffinity}"); got != "web None" {
		t.Errorf("service label and affinity = %q, want the other writer's label kept and the affinity restored", got)
	}
	if got := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "-o", "jsonpath={.metadata.annotations.team}"); got != "checkout" {
		t.Errorf("the other writer's annotation on the stable Deployment was lost: %q", got)
	}
}
