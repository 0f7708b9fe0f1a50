//go:build linux

package main

import (
	"fmt"
	"strings"
)

// startupCommands are the start-ups measured: the cheapest command, and
// --help, which also formats the usage of every subcommand.
var startupCommands = [][]string{{"version", "--client"}, {"--help"}}

// The binaries the start-up ratios are computed against.
const (
	reference = "kubectl"
	floor     = "floor"
)

// binary is one of the binaries compared, with its size in bytes.
type binary struct {
	name, path string
	size       int64
}

func startup(bins []binary, rounds int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "## Start-up\n\nMedians of %d interleaved runs per binary and command.\n\n", rounds)
	fmt.Fprintln(&b, "| Binary | Command | Wall ms | CPU ms | Peak RSS MiB | Size MB | CPU vs kubectl | CPU vs floor | Wall vs floor | Size vs floor |")
	fmt.Fprintln(&b, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	sizes := map[string]float64{}
	for _, bin := range bins {
		sizes[bin.name] = float64(bin.size)
	}
	for _, args := range startupCommands {
		var commands []command
		for _, bin := range bins {
			commands = append(commands, command{bin.name, bin.path, args})
		}
		results, err := interleave(commands, rounds)
		if err != nil {
			return "", err
		}
		m := map[string]medians{}
		for name, samples := range results {
			m[name] = summarize(samples)
		}
		for _, bin := range bins {
			x := m[bin.name]
			fmt.Fprintf(&b, "| %s | `%s` | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.2fx | %.2fx |\n",
				bin.name, strings.Join(args, " "), x.wall, x.cpu, x.rss, sizes[bin.name]/1e6,
				x.cpu/m[reference].cpu, x.cpu/m[floor].cpu, x.wall/m[floor].wall, sizes[bin.name]/sizes[floor])
		}
	}
	fmt.Fprintln(&b, "\nTargets: kubectl-ship's CPU time at most 1.3x the floor's, its static binary at most 40 MB.")
	return b.String(), nil
}
