//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sample is one run's cost.
type sample struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
	end       time.Time
}

// execute runs path once. Output the caller does not want goes to /dev/null
// through a file, not a pipe, so no copying goroutines add to the wall time.
// CPU time and peak RSS come from the kernel's rusage of the child: in
// microseconds, where GNU time reports 10 ms steps, too coarse for a 10 ms
// start-up.
func execute(path string, args []string, stdout, stderr io.Writer) (sample, error) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devNull.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = devNull, devNull
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if stderr != nil {
		cmd.Stderr = stderr
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s %s: %w", path, strings.Join(args, " "), err)
	}
	end := time.Now()
	usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	// Linux reports ru_maxrss in KiB. Go starts children with vfork, and exec
	// counts the parent's peak RSS in the child's, so this program stays far
	// below the binaries it measures.
	return sample{
		wall:   end.Sub(start),
		cpu:    cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		maxRSS: usage.Maxrss * 1024,
		end:    end,
	}, nil
}

// executeExplained is execute with the end of stderr in its error, for runs
// whose time is not a start-up's: there a pipe's copying does not count.
func executeExplained(path string, args []string, stdout, stderr io.Writer) (sample, error) {
	var errs strings.Builder
	var w io.Writer = &errs
	if stderr != nil {
		w = io.MultiWriter(stderr, &errs)
	}
	s, err := execute(path, args, stdout, w)
	if err != nil {
		err = fmt.Errorf("%w\n%s", err, lastLines(errs.String(), 5))
	}
	return s, err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// medians are the per-metric medians of one binary and command.
type medians struct{ wall, cpu, rss float64 }

func summarize(samples []sample) medians {
	return medians{
		wall: median(samples, func(s sample) float64 { return float64(s.wall) / 1e6 }),
		cpu:  median(samples, func(s sample) float64 { return float64(s.cpu) / 1e6 }),
		rss:  median(samples, func(s sample) float64 { return float64(s.maxRSS) / (1 << 20) }),
	}
}

func median[T any](samples []T, metric func(T) float64) float64 {
	values := make([]float64, len(samples))
	for i, s := range samples {
		values[i] = metric(s)
	}
	slices.Sort(values)
	n := len(values)
	return (values[(n-1)/2] + values[n/2]) / 2
}

// interleave runs every command rounds times, in an order that rotates from
// round to round, so drifts in CPU frequency or machine load hit every
// command alike. A first run of each warms the page cache, is not counted,
// and says why a command fails.
func interleave(commands []command, rounds int) (map[string][]sample, error) {
	results := map[string][]sample{}
	for _, c := range commands {
		if _, err := executeExplained(c.path, c.args, nil, nil); err != nil {
			return nil, err
		}
	}
	for r := range rounds {
		for i := range commands {
			c := commands[(i+r)%len(commands)]
			s, err := execute(c.path, c.args, nil, nil)
			if err != nil {
				return nil, err
			}
			results[c.name] = append(results[c.name], s)
		}
	}
	return results, nil
}

// command is a binary with its arguments, under a name for the table.
type command struct {
	name, path string
	args       []string
}
