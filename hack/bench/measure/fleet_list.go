//go:build linux

package main

import (
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

func cpus() string { return fmt.Sprintf("%d CPUs", runtime.NumCPU()) }

// fleetSideBySide times list over the three contexts beside list of each
// one alone, interleaved, at releases per cluster in namespace.
func fleetSideBySide(clusters map[string]*cluster, title string, contexts []string, namespace string, releases, rounds int) (string, error) {
	if err := fill(clusters, namespace, releases, scaleReplicas); err != nil {
		return "", err
	}
	c := clusters["bench-a"]
	var commands []command
	for _, name := range contexts {
		commands = append(commands, fleetCommand(c, "list --context "+name, namespace, "list", "--context", name))
	}
	all := strings.Join(contexts, ",")
	three := fleetCommand(c, "list --contexts "+all, namespace, "list", "--contexts", all)
	commands = append(commands, three)
	results, err := interleave(commands, rounds)
	if err != nil {
		return "", err
	}
	counts, err := perCluster(three, namespace)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### `list` of %d releases per cluster%s\n\nNamespace %s in each cluster: %d Deployments of %d kwok pods, each behind its own Service.\n\n", releases, title, namespace, releases, scaleReplicas)
	fmt.Fprintln(&b, "| Command | Wall ms | CPU ms | Peak RSS MiB | Requests per cluster |")
	fmt.Fprintln(&b, "|---|--:|--:|--:|---|")
	var sum, slowest float64
	for i, cmd := range commands {
		m := summarize(results[cmd.name])
		requests := ""
		if i < len(contexts) {
			sum += m.wall
			slowest = max(slowest, m.wall)
			single, err := perCluster(cmd, namespace)
			if err != nil {
				return "", err
			}
			requests = describeCounts(single)
		} else {
			requests = describeCounts(counts)
		}
		fmt.Fprintf(&b, "| `%s` | %.0f | %.0f | %.0f | %s |\n", cmd.name, m.wall, m.cpu, m.rss, requests)
	}
	one, fleet := summarize(results[commands[0].name]), summarize(results[three.name])
	fmt.Fprintf(&b, "\nThree clusters at once: %.2fx the wall time of `list --context %s` alone, %.2fx the slowest single cluster, %.2fx the sum of the three (%.0f ms); %.2fx the CPU.\n\n",
		fleet.wall/one.wall, contexts[0], fleet.wall/slowest, fleet.wall/sum, sum, fleet.cpu/one.cpu)
	return b.String(), nil
}

// simulatedFleet lists 1, 10 and 50 contexts, and the 50 with 1, 8 and 50
// clusters at once: the limit holds (requests in flight) and memory grows
// by what each context's answer holds, not more.
func simulatedFleet(clusters map[string]*cluster, kubeconfig string, rounds int) (string, error) {
	var group errgroup.Group
	group.SetLimit(10)
	for i := range simContexts {
		c := clusters[fleetClusters[i%len(fleetClusters)]]
		group.Go(func() error { return fill(map[string]*cluster{"": c}, simName(i), simReleases, 1) })
	}
	if err := group.Wait(); err != nil {
		return "", err
	}
	c := clusters["bench-a"]
	runs := []struct {
		contexts string
		n        int
		parallel int
	}{{"sim-00", 1, 8}, {"sim-0*", 10, 8}, {"sim-*", 50, 1}, {"sim-*", 50, 8}, {"sim-*", 50, 50}}
	var commands []command
	for _, r := range runs {
		args := []string{"list", "--contexts", r.contexts, "--parallel", fmt.Sprint(r.parallel)}
		commands = append(commands, command{strings.Join(args, " "), c.ship, append([]string{"--kubeconfig", kubeconfig}, args...)})
	}
	results, err := interleave(commands, rounds)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### A simulated fleet of %d contexts\n\nContexts sim-00 to sim-%02d point at the three clusters in turn, each in a namespace of its own with %d releases of one pod. Requests in flight: the most whose [start, end] overlap in one run's `-v=6` log (client-go logs each response's time and duration).\n\n", simContexts, simContexts-1, simReleases)
	fmt.Fprintln(&b, "| Contexts | --parallel | Wall ms | CPU ms | Peak RSS MiB | RSS MiB per context past the first | Requests | Most in flight |")
	fmt.Fprintln(&b, "|--:|--:|--:|--:|--:|--:|--:|--:|")
	base := summarize(results[commands[0].name]).rss
	for i, r := range runs {
		m := summarize(results[commands[i].name])
		var log strings.Builder
		if _, err := executeExplained(commands[i].path, append([]string{"-v=6"}, commands[i].args...), nil, &log); err != nil {
			return "", err
		}
		perContext := "-"
		if r.n > 1 {
			perContext = fmt.Sprintf("%.2f", (m.rss-base)/float64(r.n-1))
		}
		fmt.Fprintf(&b, "| %d | %d | %.0f | %.0f | %.0f | %s | %d | %d |\n", r.n, r.parallel, m.wall, m.cpu, m.rss, perContext,
			len(responseTimes.FindAllString(log.String(), -1)), maxInFlight(log.String()))
	}
	fmt.Fprintln(&b, "\nTargets: three clusters within 1.3x of one cluster's wall time; requests per cluster as for one cluster; at most --parallel clusters read at once.")
	return b.String(), nil
}

// describeCounts lists request counts by server port, sorted.
func describeCounts(counts map[string]requestlog.Counts) string {
	var ports []string
	for p := range counts {
		ports = append(ports, p)
	}
	sort.Strings(ports)
	var parts []string
	for _, p := range ports {
		parts = append(parts, fmt.Sprintf(":%s %s", p, counts[p]))
	}
	return strings.Join(parts, "; ")
}

// responseTimes finds each -v=6 response: klog's time of day and the
// request's duration.
var responseTimes = regexp.MustCompile(`(?m)^I\d{4} (\d\d:\d\d:\d\d\.\d{6}) .*"Response" verb="[A-Z]+" url="https://127\.0\.0\.1:(\d+)/.* milliseconds=(\d+)`)

// byServer splits a -v=6 log by the API server's port.
func byServer(log string) map[string]string {
	out := map[string]string{}
	for _, m := range responseTimes.FindAllStringSubmatch(log, -1) {
		out[m[2]] += m[0] + "\n"
	}
	return out
}

// maxInFlight is the most requests of a log whose [end-duration, end]
// overlap: how many clusters were read at once.
func maxInFlight(log string) int {
	type event struct {
		at    time.Duration
		delta int
	}
	var events []event
	for _, m := range responseTimes.FindAllStringSubmatch(log, -1) {
		end, err := time.Parse("15:04:05.000000", m[1])
		if err != nil {
			continue
		}
		ms, _ := strconv.Atoi(m[3]) // the pattern matched digits
		at := end.Sub(time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC))
		events = append(events, event{at - time.Duration(ms)*time.Millisecond, 1}, event{at, -1})
	}
	sort.Slice(events, func(i, j int) bool {
		return events[i].at < events[j].at || events[i].at == events[j].at && events[i].delta > events[j].delta
	})
	most, now := 0, 0
	for _, e := range events {
		now += e.delta
		most = max(most, now)
	}
	return most
}
