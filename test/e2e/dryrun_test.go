//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A client dry run prints, with -o yaml, a stream that kubectl apply takes:
// every object the real run would create or change, as separate documents,
// and no object it would delete (those are named on stderr). Each verb's
// stream is applied with kubectl apply --dry-run=server, which checks it
// against the API server, and the cluster is left as it was.
func TestClientDryRunIsAStreamKubectlApplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		versioned bool
		setup     [][]string
		args      []string
		objects   int // documents in the stream
		deleted   string
	}{
		{"canary --sticky", false, nil, []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "25", "--sticky"}, 2, ""},
		{"promote", false, [][]string{canary25Sticky}, promote, 2, "deployment.apps/ctwoc-canary deleted (dry run)"},
		{"abort", false, [][]string{canary25Sticky}, abort, 1, "deployment.apps/ctwoc-canary deleted (dry run)"},
		{"scale", false, [][]string{canary25}, []string{"ship", "scale", "ctwoc", "--replicas", "6"}, 2, ""},
		{"set image", false, nil, []string{"ship", "set", "image", "ctwoc", v2}, 1, ""},
		{"bluegreen --preview-service", true, nil, []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--preview-service"}, 3, ""},
		{"bluegreen-switch", true, [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}}, []string{"ship", "bluegreen-switch", "ctwoc"}, 1, ""},
		{"bluegreen cleanup --delete", true, [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2, "--preview-service"}},
			[]string{"ship", "bluegreen", "cleanup", "ctwoc", "--delete"}, 0, "deployment.apps/ctwoc-green deleted (dry run)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := seedRelease(t, seed{versioned: tt.versioned})
			for _, args := range tt.setup {
				mustRun(t, ns, args)
			}
			before := settledSnapshot(t, ns)
			res := mustRun(t, ns, append(append([]string{}, tt.args...), "--dry-run=client", "-o", "yaml"))
			if docs := yamlDocuments(res.stdout); docs != tt.objects {
				t.Errorf("%d documents, want %d:\n%s", docs, tt.objects, res.stdout)
			}
			if !strings.Contains(res.stderr, tt.deleted) {
				t.Errorf("stderr should name the deletion %q:\n%s", tt.deleted, res.stderr)
			}
			if tt.objects > 0 {
				apply := exec.Command("kubectl", "apply", "--dry-run=server", "-n", ns, "-f", "-")
				apply.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
				apply.Stdin = strings.NewReader(res.stdout)
				out, err := apply.CombinedOutput()
				if err != nil || strings.Count(string(out), "(server dry run)") != tt.objects {
					t.Errorf("kubectl apply --dry-run=server of the stream: %v\n%s", err, out)
				}
			}
			assertUnchanged(t, ns, before)
		})
	}
}

// yamlDocuments counts the non-empty documents of a YAML stream.
func yamlDocuments(stream string) int {
	n := 0
	for _, doc := range strings.Split(stream, "---\n") {
		if strings.TrimSpace(doc) != "" {
			n++
		}
	}
	return n
}

// A client dry run refuses what the real run refuses, from what it read:
// a Deployment or Service in the way of one kubectl-ship would create, that
// it did not create, and a canary or green made by hand, not adopted yet.
// Every dry-run strategy and the real run give the same one line and leave
// the namespace as it was.
func TestClientDryRunRefusesWhatTheRunWould(t *testing.T) {
	t.Parallel()
	inTheWay := func(name string) string {
		return strings.ReplaceAll(deployment(name, v2, 1), "app: "+name, "app: other")
	}
	tests := []struct {
		name      string
		versioned bool
		manifest  string   // applied beside the seed's release
		files     []string // or the walkthrough's, instead of it
		args      []string
		refusal   string
	}{
		{"canary, a deployment in the way", false, inTheWay("ctwoc-canary"), nil, []string{"canary", "ctwoc", "--image", v2},
			"deployment ctwoc-canary already exists and was not created by kubectl-ship for release ctwoc"},
		{"bluegreen, a deployment in the way", true, inTheWay("ctwoc-green"), nil, []string{"bluegreen", "ctwoc", "--image", v2},
			"deployment ctwoc-green already exists and was not created by kubectl-ship for release ctwoc"},
		{"bluegreen, a service in the way", true, service("ctwoc-preview", "other"), nil, []string{"bluegreen", "ctwoc", "--image", v2, "--preview-service"},
			"service ctwoc-preview already exists and was not created by kubectl-ship for release ctwoc"},
		{"canary beside a canary made by hand", false, "", walkthroughCanary, []string{"canary", "ctwoc", "--image", v2, "--weight", "25"},
			"adopt it first with 'kubectl ship adopt ctwoc --canary ctwoc-canary'"},
		{"bluegreen beside a green made by hand", false, "", walkthroughBlueGreen, []string{"bluegreen", "ctwoc", "--image", v3},
			"adopt it first with 'kubectl ship adopt ctwoc --green ctwoc-green'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ns string
			if tt.files != nil {
				ns = walkthroughRelease(t, tt.files...)
			} else {
				ns = seedRelease(t, seed{versioned: tt.versioned})
				apply(t, ns, tt.manifest)
			}
			before := settledSnapshot(t, ns)
			for _, dryRun := range []string{"--dry-run=client", "--dry-run=server", "--dry-run=none"} {
				res := runIn(t, ns, nil, append(append([]string{"ship"}, tt.args...), dryRun))
				if res.code != 1 || !strings.Contains(res.stderr, tt.refusal) || strings.Count(res.stderr, "\n") != 1 || res.stdout != "" {
					t.Errorf("%s: exit %d\n%s%s", dryRun, res.code, res.stdout, res.stderr)
				}
			}
			assertUnchanged(t, ns, before)
		})
	}
}
