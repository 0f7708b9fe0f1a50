//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginDiscovery(t *testing.T) {
	out := mustKubectl(t, "plugin", "list")
	if !strings.Contains(out, filepath.Join(env.binDir, "kubectl-ship")) {
		t.Fatalf("kubectl plugin list does not show kubectl-ship:\n%s", out)
	}
}

func TestVersionPrintsClientAndServer(t *testing.T) {
	out := mustKubectl(t, "ship", "version")
	if !strings.Contains(out, "Client Version: v") || !strings.Contains(out, "Server Version: v1.37.2") {
		t.Fatalf("kubectl ship version printed:\n%s", out)
	}
	var v struct {
		ClientVersion struct{ GitVersion string } `json:"clientVersion"`
		ServerVersion struct{ GitVersion string } `json:"serverVersion"`
	}
	if err := json.Unmarshal([]byte(mustKubectl(t, "ship", "version", "-o", "json")), &v); err != nil {
		t.Fatal(err)
	}
	if v.ServerVersion.GitVersion != "v1.37.2" || v.ClientVersion.GitVersion == "" {
		t.Fatalf("version -o json: %+v", v)
	}
}

func TestVerboseLogsRequests(t *testing.T) {
	res := kubectl(t, "ship", "version", "-v=6")
	if res.code != 0 || !strings.Contains(res.stderr, `/version" status="200 OK"`) {
		t.Fatalf("-v=6 should log the request; exit %d, stderr:\n%s", res.code, res.stderr)
	}
}

// writeKubeconfig copies the suite's kubeconfig to a file of the test's own.
func writeKubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	raw := mustKubectl(t, "config", "view", "--raw")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigFlags(t *testing.T) {
	kubeconfig := writeKubeconfig(t)
	mustKubectl(t, "config", "--kubeconfig", kubeconfig, "set-cluster", "nowhere", "--server", "https://127.0.0.1:1")
	mustKubectl(t, "config", "--kubeconfig", kubeconfig, "set-context", "broken", "--cluster", "nowhere", "--user", "ship-admin")

	good := kubectl(t, "ship", "version", "--kubeconfig", kubeconfig, "--context", "ship-e2e")
	if good.code != 0 || !strings.Contains(good.stdout, "Server Version: v1.37.2") {
		t.Fatalf("--context ship-e2e: exit %d\n%s%s", good.code, good.stdout, good.stderr)
	}
	bad := kubectl(t, "ship", "version", "--kubeconfig", kubeconfig, "--context", "broken", "--request-timeout", "2s")
	if bad.code != 1 || !strings.Contains(bad.stderr, "127.0.0.1:1") {
		t.Fatalf("--context broken should fail naming its server; exit %d\n%s", bad.code, bad.stderr)
	}
}

func TestBadKubeconfigIsOneClearLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte("apiVersion: v1\nkind: Config\ncurrent-context: missing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := kubectl(t, "ship", "abort", "web", "--kubeconfig", path)
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], "missing") {
		t.Fatalf("want one 'error:' line naming the context and exit 1; got exit %d:\n%s", res.code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout should be empty, got %q", res.stdout)
	}
}

// An exec credential plugin in the kubeconfig works without any auth
// provider compiled in: it is part of client-go's transport.
func TestExecCredentialPlugin(t *testing.T) {
	var cfg struct {
		Users []struct {
			User struct {
				Cert string `json:"client-certificate-data"`
				Key  string `json:"client-key-data"`
			} `json:"user"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(mustKubectl(t, "config", "view", "--raw", "-o", "json")), &cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	credential := fmt.Sprintf(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":%q,"clientKeyData":%q}}`,
		decode(t, cfg.Users[0].User.Cert), decode(t, cfg.Users[0].User.Key))
	script := filepath.Join(dir, "credential")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat <<'EOF'\n"+credential+"\nEOF\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	kubeconfig := writeKubeconfig(t)
	mustKubectl(t, "config", "--kubeconfig", kubeconfig, "set-credentials", "exec-user",
		"--exec-api-version", "client.authentication.k8s.io/v1", "--exec-command", script, "--exec-interactive-mode", "Never")
	mustKubectl(t, "config", "--kubeconfig", kubeconfig, "set-context", "exec", "--cluster", "ship-e2e", "--user", "exec-user")
	res := kubectl(t, "ship", "version", "--kubeconfig", kubeconfig, "--context", "exec")
	if res.code != 0 || !strings.Contains(res.stdout, "Server Version: v1.37.2") {
		t.Fatalf("exec credential plugin: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

func TestCompletion(t *testing.T) {
	script := mustKubectl(t, "ship", "completion", "bash")
	if !strings.Contains(script, "kubectl-ship") {
		t.Fatalf("bash completion script does not mention kubectl-ship:\n%.300s", script)
	}
	// kubectl runs the kubectl_complete-ship shim for plugin arguments.
	out := mustKubectl(t, "__complete", "ship", "pro")
	if !strings.Contains(out, "promote") {
		t.Fatalf("kubectl __complete ship pro: %s", out)
	}
	ns := namespace(t)
	apply(t, ns, deploymentAndService("web", "example/web:1.0.0", 1))
	out = mustKubectl(t, "__complete", "ship", "promote", "-n", ns, "")
	if !strings.Contains(out, "web") {
		t.Fatalf("release names are not completed: %s", out)
	}
}
