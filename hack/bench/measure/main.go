//go:build linux

// Command measure times the start-up of several binaries run with the same
// arguments and prints a markdown table of medians, with ratios against
// kubectl and against the floor binary.
//
//	measure -rounds 100 kubectl=PATH floor=PATH kubectl-ship=PATH
//
// Runs are interleaved (every round runs each binary once, in an order that
// rotates from round to round), so drifts in CPU frequency or machine load hit
// every binary alike. CPU time and peak RSS come from the kernel's rusage of
// each child: no /usr/bin/time needed, and CPU time in microseconds where GNU
// time reports 10 ms steps, too coarse for a 10 ms start-up.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// commands are the start-ups measured: the cheapest command, and --help,
// which also formats the usage of every subcommand.
var commands = [][]string{{"version", "--client"}, {"--help"}}

// The binaries the ratios are computed against.
const (
	reference = "kubectl"
	floor     = "floor"
)

type binary struct {
	name, path string
	size       int64
}

// sample is one run's cost.
type sample struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
}

func main() {
	rounds := flag.Int("rounds", 100, "runs of each binary and command")
	out := flag.String("o", "", "also write the table to this file")
	flag.Parse()
	bins, err := parseBinaries(flag.Args())
	if err == nil {
		err = run(bins, *rounds, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
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
	if !names[reference] || !names[floor] {
		return nil, fmt.Errorf("give at least %s=PATH and %s=PATH, the binaries the ratios are against", reference, floor)
	}
	return bins, nil
}

func run(bins []binary, rounds int, out string) error {
	// results[command][binary] holds the samples of every round.
	results := make([]map[string][]sample, len(commands))
	for c, args := range commands {
		results[c] = map[string][]sample{}
		for _, b := range bins { // warm the page cache; not counted
			if _, err := measure(b.path, args); err != nil {
				return err
			}
		}
		for r := range rounds {
			for i := range bins {
				b := bins[(i+r)%len(bins)]
				s, err := measure(b.path, args)
				if err != nil {
					return err
				}
				results[c][b.name] = append(results[c][b.name], s)
			}
		}
	}
	table := render(bins, results, rounds)
	fmt.Print(table)
	if out == "" {
		return nil
	}
	return os.WriteFile(out, []byte(table), 0o644)
}

// measure runs path once. Output goes to /dev/null through a file, not a
// pipe, so no copying goroutines add to the wall time.
func measure(path string, args []string) (sample, error) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devNull.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = devNull, devNull
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s %s: %w", path, strings.Join(args, " "), err)
	}
	wall := time.Since(start)
	usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	// Linux reports ru_maxrss in KiB. Go starts children with vfork, and exec
	// counts the parent's peak RSS in the child's, so this program stays far
	// below the binaries it measures (it holds only a few samples).
	return sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), maxRSS: usage.Maxrss * 1024}, nil
}

// medians are the per-metric medians of one binary and command.
type medians struct{ wall, cpu, rss float64 }

func median(samples []sample, metric func(sample) float64) float64 {
	values := make([]float64, len(samples))
	for i, s := range samples {
		values[i] = metric(s)
	}
	slices.Sort(values)
	n := len(values)
	return (values[(n-1)/2] + values[n/2]) / 2
}

func render(bins []binary, results []map[string][]sample, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Start-up benchmark\n\n")
	fmt.Fprintf(&b, "Medians of %d interleaved runs per binary and command; %s, %s/%s, %d CPUs, %s. Re-run with `make bench`.\n\n",
		rounds, time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(&b, "| Binary | Command | Wall ms | CPU ms | Peak RSS MiB | Size MB | CPU vs kubectl | CPU vs floor | Wall vs floor | Size vs floor |")
	fmt.Fprintln(&b, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	sizes := map[string]float64{}
	for _, bin := range bins {
		sizes[bin.name] = float64(bin.size)
	}
	for c, args := range commands {
		m := map[string]medians{}
		for name, samples := range results[c] {
			m[name] = medians{
				wall: median(samples, func(s sample) float64 { return float64(s.wall) / 1e6 }),
				cpu:  median(samples, func(s sample) float64 { return float64(s.cpu) / 1e6 }),
				rss:  median(samples, func(s sample) float64 { return float64(s.maxRSS) / (1 << 20) }),
			}
		}
		for _, bin := range bins {
			x := m[bin.name]
			fmt.Fprintf(&b, "| %s | `%s` | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.2fx | %.2fx |\n",
				bin.name, strings.Join(args, " "), x.wall, x.cpu, x.rss, sizes[bin.name]/1e6,
				x.cpu/m[reference].cpu, x.cpu/m[floor].cpu, x.wall/m[floor].wall, sizes[bin.name]/sizes[floor])
		}
	}
	fmt.Fprintln(&b, "\nTargets (issue 7): kubectl-ship's CPU time at most 1.3x the floor's, its static binary at most 40 MB.")
	return b.String()
}
