package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func (p phase) save(dir string) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, p.Name+".json"), raw, 0o644)
}

func load(path string) (phase, error) {
	var p phase
	raw, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("no record of that phase: %w", err)
	}
	return p, json.Unmarshal(raw, &p)
}

// report prints each phase's time and tests, the slowest tests of all, and
// a closing line with the totals.
func report(out io.Writer, phases []phase, slowest int) error {
	var total phase
	var tests []testResult
	width := len("phase")
	for _, p := range phases {
		width = max(width, len(p.Name))
	}
	fmt.Fprintln(out, "Where the time went:")
	fmt.Fprintf(out, "  %-*s  %8s  %s\n", width, "PHASE", "TIME", "TESTS")
	for _, p := range phases {
		fmt.Fprintln(out, strings.TrimRight(fmt.Sprintf("  %-*s  %8s  %s", width, p.Name, seconds(p.Seconds), counts(p)), " "))
		total.Seconds += p.Seconds
		total.Passed, total.Failed, total.Skipped = total.Passed+p.Passed, total.Failed+p.Failed, total.Skipped+p.Skipped
		for _, t := range p.Tests {
			t.Package = p.Name // the phase says more than the package here
			tests = append(tests, t)
		}
	}
	fmt.Fprintf(out, "  %-*s  %8s\n", width, "all", seconds(total.Seconds))
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].Seconds > tests[j].Seconds })
	if len(tests) > slowest {
		tests = tests[:slowest]
	}
	if len(tests) > 0 {
		fmt.Fprintln(out, "Slowest tests:")
	}
	for _, t := range tests {
		fmt.Fprintf(out, "  %-*s  %8s  %s\n", width, t.Package, seconds(t.Seconds), t.Name)
	}
	// The plain closing line that test runners are read by.
	_, err := fmt.Fprintf(out, "total: %d passed, %d failed, %d skipped\n", total.Passed, total.Failed, total.Skipped)
	return err
}

// seconds rounds to the second, or to a tenth under a minute.
func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func counts(p phase) string {
	if p.Passed+p.Failed+p.Skipped == 0 {
		return ""
	}
	s := fmt.Sprintf("%d passed", p.Passed)
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed", p.Failed)
	}
	if p.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", p.Skipped)
	}
	return s
}
