//go:build e2e

// Package e2e drives the built kubectl-ship binary through a real kubectl
// (plugin discovery on PATH) against a real local cluster: kube-apiserver,
// etcd, kube-controller-manager, kube-scheduler and kwok, started by
// hack/cluster-up.sh. The suite fails, never skips, when that cluster cannot
// start.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// env is what every test needs to run kubectl: the cluster's kubeconfig and
// a PATH with kubectl and kubectl-ship first.
var env struct {
	kubeconfig string
	binDir     string // holds kubectl and kubectl-ship
	clusterDir string
	path       string
}

// Ports of the suite's own cluster, apart from those of `make demo`; and
// the first of the fleet's (fleet_harness_test.go). SHIP_E2E_PORT_BASE
// moves them all, so that two suites can run side by side on one machine:
// the cluster on BASE to BASE+5, the fleet from BASE+100.
var clusterPorts, fleetPortBase = suitePorts(os.Getenv("SHIP_E2E_PORT_BASE"))

func suitePorts(base string) ([]string, string) {
	n, err := strconv.Atoi(base)
	if err != nil || n < 1024 || n > 65000 {
		return []string{
			"APISERVER_PORT=16443", "ETCD_PORT=12379", "ETCD_PEER_PORT=12380",
			"KCM_PORT=20257", "SCHEDULER_PORT=20259", "KWOK_PORT=20247",
		}, "17400"
	}
	var ports []string
	for i, name := range []string{"APISERVER_PORT", "ETCD_PORT", "ETCD_PEER_PORT", "KCM_PORT", "SCHEDULER_PORT", "KWOK_PORT"} {
		ports = append(ports, fmt.Sprintf("%s=%d", name, n+i))
	}
	return ports, strconv.Itoa(n + 100)
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := filepath.Abs("../..")
	if err == nil {
		err = setUp(root)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot start: %v\n", err)
		return 1
	}
	defer tearDown(root)
	defer stopFleet(root) // the fleet tests' clusters, if they started them
	return m.Run()
}

// setUp puts kubectl and kubectl-ship in one folder and starts the cluster,
// unless SHIP_E2E_KUBECONFIG names one already running, then installs the
// Gateway API's CRDs into it.
func setUp(root string) error {
	tmp, err := os.MkdirTemp("", "ship-e2e-")
	if err != nil {
		return err
	}
	env.binDir = filepath.Join(tmp, "bin")
	if err := os.Mkdir(env.binDir, 0o755); err != nil {
		return err
	}
	clusterBin, err := output(root, nil, "bash", "-c", "source hack/lib.sh && echo $CLUSTER_BIN")
	if err != nil {
		return err
	}
	if err := os.Symlink(filepath.Join(clusterBin, "kubectl"), filepath.Join(env.binDir, "kubectl")); err != nil {
		return err
	}
	if err := installPlugin(root); err != nil {
		return err
	}
	shim := "kubectl_complete-ship"
	if err := os.Symlink(filepath.Join(root, "cmd", shim, shim), filepath.Join(env.binDir, shim)); err != nil {
		return err
	}
	env.path = env.binDir + string(os.PathListSeparator) + os.Getenv("PATH")

	if env.kubeconfig = os.Getenv("SHIP_E2E_KUBECONFIG"); env.kubeconfig == "" {
		env.clusterDir = filepath.Join(tmp, "cluster")
		clusterEnv := append([]string{"CLUSTER_DIR=" + env.clusterDir}, clusterPorts...)
		if out, err := output(root, clusterEnv, "hack/cluster-up.sh"); err != nil {
			return fmt.Errorf("hack/cluster-up.sh: %v\n%s", err, out)
		}
		env.kubeconfig = filepath.Join(env.clusterDir, "kubeconfig")
	}
	return installGatewayAPI(root)
}

// installPlugin puts the plugin on PATH as kubectl-ship: the binary named by
// SHIP_BINARY (make e2e builds it), or one built here.
func installPlugin(root string) error {
	target := filepath.Join(env.binDir, "kubectl-ship")
	if bin := os.Getenv("SHIP_BINARY"); bin != "" {
		return os.Symlink(bin, target)
	}
	_, err := output(root, []string{"CGO_ENABLED=0"}, "go", "build", "-o", target, "./cmd/kubectl-ship")
	return err
}

func tearDown(root string) {
	if env.clusterDir == "" {
		return
	}
	clusterEnv := append([]string{"CLUSTER_DIR=" + env.clusterDir}, clusterPorts...)
	if out, err := output(root, clusterEnv, "hack/cluster-down.sh"); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: hack/cluster-down.sh: %v\n%s", err, out)
	}
}

func output(dir string, extraEnv []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
