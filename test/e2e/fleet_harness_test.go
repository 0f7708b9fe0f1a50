//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The fleet of the fleet tests: the suite's own cluster as context fleet-a,
// two more started by hack/fleet-up.sh (fleet-b and fleet-c, on ports from
// fleetPortBase), a context whose server is a port of 127.0.0.1 where
// nothing listens (fleet-dead) and one whose user has no RBAC binding
// (fleet-forbidden). Started once, at the first test that needs it; stopped
// when the suite ends.

var (
	fleetContexts = []string{"fleet-a", "fleet-b", "fleet-c"}
	fleetEnv      struct {
		dir, kubeconfig string
		clients         map[string]*kubernetes.Clientset
	}
	startFleet = sync.OnceValue(func() error {
		started := time.Now()
		err := fleetUp()
		fmt.Fprintf(os.Stderr, "e2e: fleet of %d clusters up in %s\n", len(fleetContexts), time.Since(started).Round(100*time.Millisecond))
		return err
	})
)

// fleet starts the fleet if it is not up, or fails the test.
func fleet(t *testing.T) {
	t.Helper()
	if err := startFleet(); err != nil {
		t.Fatalf("the fleet cannot start: %v", err)
	}
}

func fleetUp() error {
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	fleetEnv.dir = filepath.Join(filepath.Dir(env.binDir), "fleet")
	flaky, err := filepath.Abs("testdata/kwok-flaky-stages.yaml")
	if err != nil {
		return err
	}
	if out, err := output(root, []string{"FLEET_DIR=" + fleetEnv.dir, "FLEET_CLUSTERS=fleet-b fleet-c",
		"FLEET_PORT_BASE=" + fleetPortBase, "KWOK_STAGES_fleet_b=" + flaky}, "hack/fleet-up.sh"); err != nil {
		return fmt.Errorf("hack/fleet-up.sh: %v\n%s", err, out)
	}
	config, err := fleetKubeconfig()
	if err != nil {
		return err
	}
	fleetEnv.kubeconfig = filepath.Join(fleetEnv.dir, "e2e-kubeconfig")
	if err := clientcmd.WriteToFile(*config, fleetEnv.kubeconfig); err != nil {
		return err
	}
	fleetEnv.clients = map[string]*kubernetes.Clientset{}
	for _, name := range fleetContexts {
		rest, err := clientcmd.NewNonInteractiveClientConfig(*config, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
		if err != nil {
			return err
		}
		rest.QPS, rest.Burst = 100, 200
		if fleetEnv.clients[name], err = kubernetes.NewForConfig(rest); err != nil {
			return err
		}
	}
	return nil
}

// fleetKubeconfig joins the suite's kubeconfig and fleet-up.sh's into one
// with the five contexts of the fleet tests.
func fleetKubeconfig() (*clientcmdapi.Config, error) {
	suite, err := clientcmd.LoadFromFile(env.kubeconfig)
	if err != nil {
		return nil, err
	}
	started, err := clientcmd.LoadFromFile(filepath.Join(fleetEnv.dir, "kubeconfig"))
	if err != nil {
		return nil, err
	}
	config := clientcmdapi.NewConfig()
	current := suite.Contexts[suite.CurrentContext]
	if current == nil {
		return nil, fmt.Errorf("%s has no current context", env.kubeconfig)
	}
	config.Clusters["fleet-a"] = suite.Clusters[current.Cluster]
	config.AuthInfos["fleet-a-admin"] = suite.AuthInfos[current.AuthInfo]
	config.Contexts["fleet-a"] = &clientcmdapi.Context{Cluster: "fleet-a", AuthInfo: "fleet-a-admin"}
	for _, name := range []string{"fleet-b", "fleet-c"} {
		config.Clusters[name] = started.Clusters[name]
		config.AuthInfos[name+"-admin"] = started.AuthInfos[name+"-admin"]
		config.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name + "-admin"}
	}
	dead := *started.Clusters["fleet-b"]
	if dead.Server, err = deadServer(); err != nil {
		return nil, err
	}
	config.Clusters["fleet-dead"] = &dead
	config.Contexts["fleet-dead"] = &clientcmdapi.Context{Cluster: "fleet-dead", AuthInfo: "fleet-b-admin"}
	nobody, err := userWithoutBindings(filepath.Join(fleetEnv.dir, "fleet-b", "pki"))
	if err != nil {
		return nil, err
	}
	config.AuthInfos["ship-nobody"] = nobody
	config.Contexts["fleet-forbidden"] = &clientcmdapi.Context{Cluster: "fleet-b", AuthInfo: "ship-nobody"}
	config.CurrentContext = "fleet-a"
	return config, nil
}

// deadServer is an address of 127.0.0.1 where nothing listens: a port the
// kernel just handed out, closed again.
func deadServer() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "https://" + l.Addr().String(), nil
}

// stopFleet stops the clusters fleet-up.sh started, if it did.
func stopFleet(root string) {
	if fleetEnv.dir == "" {
		return
	}
	if out, err := output(root, []string{"FLEET_DIR=" + fleetEnv.dir}, "hack/fleet-down.sh"); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: hack/fleet-down.sh: %v\n%s", err, out)
	}
}
