//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

const (
	scaleNamespace = "bench-scale"
	scaleReleases  = 1000
	scaleReplicas  = 3
)

// scalePairs are the commands measured at 1,000 releases, each beside the
// kubectl command that does the closest thing.
var scalePairs = []struct{ kubectl, ship []string }{
	{[]string{"get", "deployments"}, []string{"list"}},
	{[]string{"rollout", "status", "deployment/app-0500"}, []string{"status", "app-0500"}},
}

// scale measures list and status in a namespace of 1,000 releases (a
// Deployment of three pods and its Service each) against kubectl.
func scale(c *cluster, rounds int) (string, error) {
	ctx := context.Background()
	start := time.Now()
	if err := c.createNamespace(ctx, scaleNamespace); err != nil {
		return "", err
	}
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(16)
	for i := range scaleReleases {
		group.Go(func() error {
			return c.createRelease(groupCtx, scaleNamespace, fmt.Sprintf("app-%04d", i), scaleReplicas)
		})
	}
	if err := group.Wait(); err != nil {
		return "", err
	}
	if err := c.waitAvailable(ctx, scaleNamespace, scaleReleases, 20*time.Minute); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "%d releases of %d pods ready in %.0fs\n", scaleReleases, scaleReplicas, time.Since(start).Seconds())

	var commands []command
	for _, pair := range scalePairs {
		commands = append(commands, c.command(reference, scaleNamespace, pair.kubectl...), c.command(ship, scaleNamespace, pair.ship...))
	}
	results, err := interleave(commands, rounds)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## 1,000 releases\n\nNamespace %s: %d Deployments of %d kwok pods, each behind its own Service. Medians of %d interleaved runs; requests counted from `-v=6`, here and in namespace %s, which holds one release.\n\n",
		scaleNamespace, scaleReleases, scaleReplicas, rounds, workflowNamespace)
	fmt.Fprintln(&b, "| Command | Wall ms | CPU ms | Peak RSS MiB | Output KB | Requests | Requests, 1 release | Wall vs kubectl | CPU vs kubectl |")
	fmt.Fprintln(&b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for i, pair := range scalePairs {
		kubectlMedians := summarize(results[commands[2*i].name])
		for j, args := range [][]string{pair.kubectl, pair.ship} {
			cmd := commands[2*i+j]
			m := summarize(results[cmd.name])
			var output strings.Builder
			if _, err := executeExplained(cmd.path, cmd.args, &output, nil); err != nil {
				return "", err
			}
			counts, _, err := c.requests(cmd, scaleNamespace)
			if err != nil {
				return "", err
			}
			binary := []string{reference, ship}[j]
			small, _, err := c.requests(c.command(binary, workflowNamespace, oneRelease(args)...), workflowNamespace)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "| `%s` | %.0f | %.0f | %.0f | %.1f | %d | %d | %.2fx | %.2fx |\n",
				cmd.name, m.wall, m.cpu, m.rss, float64(output.Len())/1024, counts.Total(), small.Total(),
				m.wall/kubectlMedians.wall, m.cpu/kubectlMedians.cpu)
		}
	}
	fmt.Fprintln(&b, "\nTargets: `list` within 1.5x of `kubectl get deployments`, with as many requests as for one release.")
	return b.String(), nil
}

// oneRelease points args at release shop of the workflow namespace.
func oneRelease(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.NewReplacer("app-0500", "shop").Replace(a)
	}
	return out
}
