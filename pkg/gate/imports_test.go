package gate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports holds pkg/gate to its place: cobra-free, no API client (the
// engine fetches the objects and hands in an HTTP client), none of ship's
// other packages, and no Prometheus client library (the API's JSON is small
// enough to read by hand, and the binary stays small).
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/spf13/cobra", "k8s.io/client-go", "github.com/prometheus/",
		"github.com/kubectl-ship/kubectl-ship/pkg/",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(pkg, f) && pkg != "github.com/kubectl-ship/kubectl-ship/pkg/gate" {
				t.Errorf("pkg/gate depends on %s", pkg)
			}
		}
	}
}
