//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// The fleet of make bench: the bench's own cluster and the two that
// hack/fleet-up.sh started beside it (FLEET_CLUSTERS="bench-b bench-c").
var fleetClusters = []string{"bench-a", "bench-b", "bench-c"}

// Each simulated context points at one of the clusters, in a namespace of
// its own holding simReleases releases of one pod. The far contexts reach
// the clusters through a proxy that adds farDelay to every answer.
const (
	simContexts = 50
	simReleases = 10
	farDelay    = 50 * time.Millisecond
)

var farClusters = []string{"far-a", "far-b", "far-c"}

// fleetBench measures list across clusters: beside one cluster's list at
// 100 and 1,000 releases per cluster, then over a simulated fleet of 50
// contexts.
func fleetBench(kubeconfig, fleetKubeconfig, shipPath string, rounds int) (string, error) {
	config, err := fleetConfig(kubeconfig, fleetKubeconfig)
	if err != nil {
		return "", err
	}
	clusters, err := benchClusters(config, fleetKubeconfig, shipPath, fleetClusters)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Across clusters\n\nThree local clusters on this machine (the bench's and two started by `hack/fleet-up.sh`), each with its own etcd, API server, controllers and kwok, all on the same %s. ", cpus())
	fmt.Fprintf(&b, "Medians of %d interleaved runs; requests counted per cluster from `-v=6`.\n\n", rounds)
	for _, run := range []struct {
		title     string
		contexts  []string
		namespace string
		releases  int
	}{
		{"", fleetClusters, "bench-fleet-100", 100},
		{"", fleetClusters, scaleNamespace, scaleReleases},
		{fmt.Sprintf(", each cluster %s away", farDelay), farClusters, "bench-fleet-100", 100},
	} {
		section, err := fleetSideBySide(clusters, run.title, run.contexts, run.namespace, run.releases, rounds)
		if err != nil {
			return "", err
		}
		b.WriteString(section)
	}
	section, err := simulatedFleet(clusters, clusters[fleetClusters[0]].kubeconfig, rounds)
	if err != nil {
		return "", err
	}
	b.WriteString(section)
	return b.String(), nil
}

// benchClusters writes config beside fleetKubeconfig and returns a client of
// each cluster named, whose commands use it.
func benchClusters(config *clientcmdapi.Config, fleetKubeconfig, shipPath string, names []string) (map[string]*cluster, error) {
	path := filepath.Join(filepath.Dir(fleetKubeconfig), "bench-kubeconfig")
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		return nil, err
	}
	clusters := map[string]*cluster{}
	for _, name := range names {
		rest, err := clientcmd.NewNonInteractiveClientConfig(*config, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
		if err != nil {
			return nil, err
		}
		rest.QPS, rest.Burst = 500, 1000
		client, err := kubernetes.NewForConfig(rest)
		if err != nil {
			return nil, err
		}
		clusters[name] = &cluster{kubeconfig: path, ship: shipPath, client: client}
	}
	return clusters, nil
}

// ownConfig is one kubeconfig with bench-a (the current context of
// kubeconfig) and the contexts of fleetKubeconfig, which must hold names.
func ownConfig(kubeconfig, fleetKubeconfig string, names []string) (*clientcmdapi.Config, error) {
	own, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		return nil, err
	}
	config, err := clientcmd.LoadFromFile(fleetKubeconfig)
	if err != nil {
		return nil, err
	}
	current := own.Contexts[own.CurrentContext]
	if current == nil {
		return nil, fmt.Errorf("%s has no current context", kubeconfig)
	}
	config.Clusters["bench-a"] = own.Clusters[current.Cluster]
	config.AuthInfos["bench-a-admin"] = own.AuthInfos[current.AuthInfo]
	config.Contexts["bench-a"] = &clientcmdapi.Context{Cluster: "bench-a", AuthInfo: "bench-a-admin"}
	for _, name := range names {
		if config.Contexts[name] == nil {
			return nil, fmt.Errorf("%s has no context %s", fleetKubeconfig, name)
		}
	}
	return config, nil
}

// fleetConfig is ownConfig with bench-b and bench-c, and the simulated
// contexts sim-00 to sim-49 over the three.
func fleetConfig(kubeconfig, fleetKubeconfig string) (*clientcmdapi.Config, error) {
	config, err := ownConfig(kubeconfig, fleetKubeconfig, fleetClusters)
	if err != nil {
		return nil, err
	}
	for i := range simContexts {
		target := config.Contexts[fleetClusters[i%len(fleetClusters)]]
		config.Contexts[simName(i)] = &clientcmdapi.Context{Cluster: target.Cluster, AuthInfo: target.AuthInfo, Namespace: simName(i)}
	}
	for i, name := range farClusters {
		near := config.Contexts[fleetClusters[i]]
		far := *config.Clusters[near.Cluster]
		if far.Server, err = farServer(far.Server, farDelay); err != nil {
			return nil, err
		}
		config.Clusters[name] = &far
		config.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: near.AuthInfo}
	}
	return config, nil
}

func simName(i int) string { return fmt.Sprintf("sim-%02d", i) }

// fill creates releases of replicas pods in namespace of every cluster
// that lacks them, at once, and waits until they are available.
func fill(clusters map[string]*cluster, namespace string, releases int, replicas int32) error {
	ctx := context.Background()
	start := time.Now()
	var group errgroup.Group
	for _, c := range clusters {
		group.Go(func() error {
			if err := c.createNamespace(ctx, namespace); err != nil {
				return err
			}
			inner, innerCtx := errgroup.WithContext(ctx)
			inner.SetLimit(16)
			for i := range releases {
				inner.Go(func() error {
					return c.createRelease(innerCtx, namespace, fmt.Sprintf("app-%04d", i), replicas)
				})
			}
			if err := inner.Wait(); err != nil {
				return err
			}
			return c.waitAvailable(ctx, namespace, releases, 30*time.Minute)
		})
	}
	err := group.Wait()
	fmt.Fprintf(os.Stderr, "namespace %s: %d releases of %d pods in each cluster, ready in %.0fs\n", namespace, releases, replicas, time.Since(start).Seconds())
	return err
}

// fleetCommand is kubectl-ship with the fleet's kubeconfig in namespace.
func fleetCommand(c *cluster, name, namespace string, args ...string) command {
	return command{name, c.ship, append([]string{"--kubeconfig", c.kubeconfig, "-n", namespace}, args...)}
}

// perCluster counts a command's requests to each API server, by port.
func perCluster(cmd command, namespace string) (map[string]requestlog.Counts, error) {
	var log strings.Builder
	if _, err := executeExplained(cmd.path, append([]string{"-v=6"}, cmd.args...), nil, &log); err != nil {
		return nil, err
	}
	counts := map[string]requestlog.Counts{}
	for port, lines := range byServer(log.String()) {
		counts[port] = requestlog.Count(requestlog.Parse(lines, namespace))
	}
	return counts, nil
}
