package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// testResult is how one top-level test ended, and how long it ran (for a
// parallel test, from when it was let go on).
type testResult struct {
	Package string
	Name    string
	Result  string // pass, fail or skip
	Seconds float64
}

// stream prints a go test -json stream as plain go test would, keeping the
// top-level tests' results; of a failed test, only what its failed
// subtests (and itself) said, so that a long matrix's failure is not lost
// among the lines of the cases that passed.
type stream struct {
	out     io.Writer
	pending map[string][]said // each running top-level test's output
	passed  map[string]bool   // the subtests that passed, by full name
	tests   []testResult
}

// said is one line of output and the test, or subtest, that printed it.
type said struct{ test, output string }

func newStream(out io.Writer) *stream {
	return &stream{out: out, pending: map[string][]said{}, passed: map[string]bool{}}
}

func (s *stream) copy(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		s.line(sc.Bytes())
	}
}

func (s *stream) line(b []byte) {
	var e event
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &e) != nil || e.Action == "" {
		fmt.Fprintf(s.out, "%s\n", b) // not a test's event: the command's own output
		return
	}
	top, _, _ := strings.Cut(e.Test, "/")
	key := e.Package + " " + top
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Test == "":
		// The package's result line ("ok  pkg 1.2s", "FAIL ..."), a panic,
		// or what TestMain printed; go test prints a bare PASS only in -v.
		if e.Action == "output" && e.Output != "PASS\n" {
			fmt.Fprint(s.out, e.Output)
		}
	case e.Action == "output":
		if !strings.HasPrefix(e.Output, "=== ") {
			s.pending[key] = append(s.pending[key], said{e.Package + " " + e.Test, e.Output})
		}
	case e.Test != top && e.Action == "pass":
		s.passed[e.Package+" "+e.Test] = true
	case e.Test == top && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		if e.Action == "fail" {
			for _, line := range s.pending[key] {
				if !s.passed[line.test] {
					fmt.Fprint(s.out, line.output)
				}
			}
		}
		delete(s.pending, key)
		s.tests = append(s.tests, testResult{Package: e.Package, Name: e.Test, Result: e.Action, Seconds: e.Elapsed})
	}
}

// phase is the record of one phase of make test.
type phase struct {
	Name    string
	Start   time.Time
	Seconds float64
	Passed  int
	Failed  int
	Skipped int
	Tests   []testResult `json:",omitempty"`
}

func (s *stream) phase(name string, start time.Time, took time.Duration) phase {
	p := phase{Name: name, Start: start, Seconds: took.Seconds(), Tests: s.tests}
	for _, t := range s.tests {
		switch t.Result {
		case "pass":
			p.Passed++
		case "fail":
			p.Failed++
		default:
			p.Skipped++
		}
	}
	return p
}
