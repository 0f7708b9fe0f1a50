//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// result is what one kubectl invocation printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// kubectl runs the real kubectl with the suite's kubeconfig and PATH, so
// `kubectl ship ...` finds the plugin the way a user's shell does.
func kubectl(t *testing.T, args ...string) result {
	t.Helper()
	return kubectlEnv(t, nil, args...)
}

func kubectlEnv(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command("kubectl", args...)
	cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig, "KUBECACHEDIR="+env.binDir+"/../kube-cache")
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// mustKubectl runs kubectl and fails the test unless it exits 0.
func mustKubectl(t *testing.T, args ...string) string {
	t.Helper()
	res := kubectl(t, args...)
	if res.code != 0 {
		t.Fatalf("kubectl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

// namespace creates a namespace of the test's own, deleted when it ends.
func namespace(t *testing.T) string {
	t.Helper()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	name := "e2e-" + hex.EncodeToString(suffix)
	mustKubectl(t, "create", "namespace", name)
	t.Cleanup(func() { kubectl(t, "delete", "namespace", name, "--wait=false") })
	return name
}

// apply applies a manifest in namespace ns.
func apply(t *testing.T, ns, manifest string) {
	t.Helper()
	cmd := exec.Command("kubectl", "apply", "-n", ns, "-f", "-")
	cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	cmd.Stdin = strings.NewReader(manifest)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
}

// getJSON decodes `kubectl get ... -o json` into out.
func getJSON(t *testing.T, out any, args ...string) {
	t.Helper()
	raw := mustKubectl(t, append([]string{"get", "-o", "json"}, args...)...)
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		t.Fatalf("decoding kubectl get %s: %v", strings.Join(args, " "), err)
	}
}

// eventually retries cond every 200 ms until it holds, and fails the test
// when it still does not after a minute: the cluster converges
// asynchronously (EndpointSlices follow pods, pods follow ReplicaSets).
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	if ok, state := pollUntil(time.Minute, 200*time.Millisecond, cond); !ok {
		t.Fatalf("%s: still not true after a minute; last seen: %s", what, state)
	}
}

// pollUntil calls cond every interval until it holds or d has passed, and
// returns its last answer.
func pollUntil(d, interval time.Duration, cond func() (bool, string)) (bool, string) {
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok || time.Now().After(deadline) {
			return ok, state
		}
		time.Sleep(interval)
	}
}
