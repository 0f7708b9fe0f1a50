//go:build linux

// Command measure is make bench: it times the start-up of kubectl-ship
// against kubectl and a floor binary and, on a cluster, counts the API
// requests of each verb, the latency of its waits, and the cost of list and
// status at 1,000 releases. It prints one markdown report. With
// -fleet-kubeconfig it measures list across that cluster and the ones
// hack/fleet-up.sh started beside it, and prints that section alone.
//
//	measure -rounds 100 -kubeconfig FILE -o docs/benchmarks.md \
//	    kubectl=PATH floor=PATH kubectl-ship=PATH
//	measure -kubeconfig FILE -fleet-kubeconfig FILE kubectl-ship=PATH
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 100, "start-up runs of each binary and command")
	clusterRounds := flag.Int("cluster-rounds", 10, "runs of each command against the cluster")
	kubeconfig := flag.String("kubeconfig", "", "the cluster to measure requests, waits and scale on; none measures start-up only")
	out := flag.String("o", "", "also write the report to this file")
	fleetKubeconfig := flag.String("fleet-kubeconfig", "", "the clusters hack/fleet-up.sh started beside -kubeconfig's: measure list across clusters only (needs kubectl-ship=PATH)")
	dashboard := flag.Bool("dashboard", false, "with -fleet-kubeconfig, measure the dashboard over -kubeconfig's cluster and bench-b instead")
	requestsOnly := flag.Bool("requests", false, "measure only the API requests per command on -kubeconfig's cluster (needs kubectl-ship=PATH), to refresh that table alone")
	flag.Parse()
	var err error
	switch {
	case *requestsOnly:
		err = runRequests(flag.Args(), *kubeconfig)
	case *fleetKubeconfig != "":
		err = runFleet(flag.Args(), *kubeconfig, *fleetKubeconfig, *clusterRounds, *dashboard)
	default:
		var bins []binary
		if bins, err = parseBinaries(flag.Args()); err == nil {
			err = run(bins, *rounds, *clusterRounds, *kubeconfig, *out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// runRequests prints the section of the API requests per command.
func runRequests(args []string, kubeconfig string) error {
	shipPath, err := shipOnly(args, kubeconfig, "-requests")
	if err != nil {
		return err
	}
	c, err := newCluster(kubeconfig, "", shipPath)
	if err != nil {
		return err
	}
	section, err := requests(c, 1)
	if err == nil {
		fmt.Print(section)
	}
	return err
}

// runFleet prints the section across clusters, or the dashboard's, to
// append to the report.
func runFleet(args []string, kubeconfig, fleetKubeconfig string, rounds int, dashboard bool) error {
	shipPath, err := shipOnly(args, kubeconfig, "-fleet-kubeconfig")
	if err != nil {
		return err
	}
	measure := fleetBench
	if dashboard {
		measure = dashboardOnly
	}
	section, err := measure(kubeconfig, fleetKubeconfig, shipPath, rounds)
	if err == nil {
		fmt.Print("\n" + section)
	}
	return err
}

// shipOnly is kubectl-ship's path, when args give it alone and kubeconfig
// is set, as mode (a flag) needs.
func shipOnly(args []string, kubeconfig, mode string) (string, error) {
	path, ok := strings.CutPrefix(strings.Join(args, " "), ship+"=")
	if len(args) != 1 || !ok || kubeconfig == "" {
		return "", fmt.Errorf("with %s, give -kubeconfig and only %s=PATH", mode, ship)
	}
	return path, nil
}

func parseBinaries(args []string) ([]binary, error) {
	var bins []binary
	names := map[string]bool{}
	for _, arg := range args {
		name, path, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, fmt.Errorf("want NAME=PATH, not %q", arg)
		}
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		bins = append(bins, binary{name, path, info.Size()})
		names[name] = true
	}
	for _, want := range []string{reference, floor, ship} {
		if !names[want] {
			return nil, fmt.Errorf("give %s=PATH, %s=PATH and %s=PATH", reference, floor, ship)
		}
	}
	return bins, nil
}

func run(bins []binary, rounds, clusterRounds int, kubeconfig, out string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\n%s, %s/%s, %d CPUs, %s. Re-run with `make bench`.\n\n",
		time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	section, err := startup(bins, rounds)
	if err != nil {
		return err
	}
	b.WriteString(section)
	if kubeconfig != "" {
		paths := map[string]string{}
		for _, bin := range bins {
			paths[bin.name] = bin.path
		}
		c, err := newCluster(kubeconfig, paths[reference], paths[ship])
		if err != nil {
			return err
		}
		for _, measure := range []func(*cluster, int) (string, error){requests, waitLatency, gates, scale} {
			section, err := measure(c, clusterRounds)
			if err != nil {
				return err
			}
			b.WriteString("\n" + section)
		}
	}
	fmt.Print(b.String())
	if out == "" {
		return nil
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}
