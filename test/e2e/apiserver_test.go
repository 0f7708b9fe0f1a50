//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ownCluster starts a cluster of the test's own with hack/cluster-up.sh, on
// free ports, and stops it when the test ends. It returns its folder and an
// environment for kubectl that points at it.
func ownCluster(t *testing.T) (dir string, kubectlEnv []string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "cluster")
	clusterEnv := []string{"CLUSTER_DIR=" + dir}
	for _, name := range []string{"APISERVER_PORT", "ETCD_PORT", "ETCD_PEER_PORT", "KCM_PORT", "SCHEDULER_PORT", "KWOK_PORT"} {
		clusterEnv = append(clusterEnv, name+"="+freePort(t))
	}
	if out, err := output(root, clusterEnv, "hack/cluster-up.sh"); err != nil {
		t.Fatalf("hack/cluster-up.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := output(root, clusterEnv, "hack/cluster-down.sh"); err != nil {
			t.Errorf("hack/cluster-down.sh: %v\n%s", err, out)
		}
	})
	return dir, []string{"KUBECONFIG=" + filepath.Join(dir, "kubeconfig"), "KUBECACHEDIR=" + filepath.Join(dir, "kube-cache")}
}

// freePort is a TCP port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The API server goes away while ship waits for a canary, and comes back:
// ship either finishes within --timeout, its watch re-established, or stops
// with one clear line; then a re-run converges. The outage and how long ship
// took once the API server was back are logged.
func TestAPIServerRestartDuringWait(t *testing.T) {
	dir, clusterEnv := ownCluster(t)
	kc := func(args ...string) result { t.Helper(); return kubectlEnv(t, clusterEnv, args...) }
	mustKc := func(args ...string) string {
		t.Helper()
		res := kc(args...)
		if res.code != 0 {
			t.Fatalf("kubectl %s: exit %d\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
		}
		return res.stdout
	}
	const ns = "restart"
	mustKc("create", "namespace", ns)
	manifest := filepath.Join(t.TempDir(), "release.yaml")
	if err := os.WriteFile(manifest, []byte(deploymentAndService("ctwoc", v1, 3)), 0o600); err != nil {
		t.Fatal(err)
	}
	mustKc("apply", "-n", ns, "-f", manifest)
	mustKc("rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	// No room for the canary's pod until the quota goes.
	mustKc("create", "quota", "pods", "-n", ns, "--hard=pods=3")
	if ok, used := pollUntil(time.Minute, 100*time.Millisecond, func() (bool, string) {
		used := mustKc("get", "quota", "pods", "-n", ns, "-o", "jsonpath={.status.used.pods}")
		return used == "3", used
	}); !ok {
		t.Fatalf("the quota counts %s pods, want 3", used)
	}

	canary := exec.Command("kubectl", "ship", "-n", ns, "canary", "ctwoc", "--image", v2, "--timeout", "60s")
	canary.Env = append(os.Environ(), append([]string{"PATH=" + env.path}, clusterEnv...)...)
	var stdout, stderr syncBuffer
	canary.Stdout, canary.Stderr = &stdout, &stderr
	if err := canary.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- canary.Wait() }()
	t.Cleanup(func() { _ = canary.Process.Kill() })
	if ok, _ := pollUntil(30*time.Second, 100*time.Millisecond, func() (bool, string) {
		return strings.Contains(stderr.String(), "Waiting for deployment"), ""
	}); !ok {
		t.Fatalf("ship does not wait for the canary:\n%s", stderr.String())
	}

	root, _ := filepath.Abs("../..")
	down := time.Now()
	if out, err := output(root, []string{"CLUSTER_DIR=" + dir}, "hack/cluster-restart-apiserver.sh", "5"); err != nil {
		t.Fatalf("hack/cluster-restart-apiserver.sh: %v\n%s", err, out)
	}
	back := time.Now()
	mustKc("delete", "quota", "pods", "-n", ns)
	// The ReplicaSet controller backs off after each refused pod (up to
	// minutes): a change to the ReplicaSet makes it try again at once.
	mustKc("annotate", "replicasets", "-n", ns, "-l", "track=canary", "e2e/kick=1")

	var err error
	select {
	case err = <-done:
	case <-time.After(90 * time.Second):
		t.Fatalf("ship still runs 90s after the API server came back, past its --timeout 60s:\n%s", stderr.String())
	}
	finished := time.Now()
	t.Logf("API server down for %.1fs (killed, 5s down, restarted, ready); ship ended %.1fs after it was back, %.1fs after it went down: %v",
		back.Sub(down).Seconds(), finished.Sub(back).Seconds(), finished.Sub(down).Seconds(), err)
	if err != nil {
		// A clear line says what ship was waiting for and how to go on.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		last := lines[len(lines)-1]
		if strings.Count(stderr.String(), "error: ") != 1 || !strings.HasPrefix(last, "error: ") || !strings.Contains(last, "ctwoc-canary") {
			t.Errorf("ship stopped without one clear line naming what it waited for: %s", last)
		}
	}
	// Whatever ship did, running it again converges: the canary serves
	// beside the stable pods.
	rerun := []string{"ship", "-n", ns, "canary", "ctwoc", "--image", v2, "--timeout", "60s"}
	if res := kc(rerun...); res.code != 0 {
		t.Errorf("the re-run after the restart: exit %d\n%s", res.code, res.stderr)
		converged, _ := pollUntil(90*time.Second, 100*time.Millisecond, func() (bool, string) {
			time.Sleep(2 * time.Second)
			return kc(rerun...).code == 0, ""
		})
		t.Logf("re-runs every 2s: converged %v, %.1fs after the API server was back", converged, time.Since(back).Seconds())
	}
	if got := mustKc("get", "deployment", "ctwoc-canary", "-n", ns, "-o", "jsonpath={.status.readyReplicas}"); got != "1" {
		t.Errorf("canary ready replicas = %q, want 1", got)
	}
	if holder := kc("get", "lease", "kubectl-ship-ctwoc", "-n", ns, "-o", "jsonpath={.spec.holderIdentity}").stdout; holder != "" {
		t.Errorf("the lock is still held by %s", holder)
	}
	t.Logf("ship's output during the restart:\n%s%s", stdout.String(), stderr.String())
}
