package gate

import (
	"strings"
	"testing"
)

func pass(gate string) Result { return Result{Gate: gate, Verdict: Pass} }
func fail(gate string) Result { return Result{Gate: gate, Verdict: Fail, Reason: "too many errors"} }
func unsure(gate string) Result {
	return Result{Gate: gate, Verdict: Inconclusive, Reason: "no data"}
}

func TestTracker(t *testing.T) {
	type check []Result
	for _, tc := range []struct {
		name                            string
		failureLimit, inconclusiveLimit int
		checks                          []check
		// exhaustedAt is the check (from 1) that exhausts the limit, 0 for none.
		exhaustedAt int
		failures    int
	}{
		{"all pass", 0, 2, []check{{pass("a"), pass("b")}, {pass("a"), pass("b")}}, 0, 0},
		{"the first failure fails by default", 0, 2, []check{{pass("a")}, {pass("a"), fail("b")}}, 2, 1},
		{"failure limit 2 survives two", 2, 2, []check{{fail("a")}, {pass("a")}, {fail("a")}, {fail("a")}}, 4, 3},
		{"one inconclusive is not a failure", 0, 2, []check{{unsure("a")}, {pass("a")}, {unsure("a")}}, 0, 0},
		{"two inconclusive in a row are one", 0, 2, []check{{unsure("a")}, {unsure("a")}}, 2, 1},
		{"a pass breaks the run", 1, 2, []check{{unsure("a")}, {pass("a")}, {unsure("a")}, {unsure("a")}, {unsure("a")}}, 0, 1},
		{"a spent run starts again", 1, 2, []check{{unsure("a")}, {unsure("a")}, {unsure("a")}, {unsure("a")}}, 4, 2},
		{"runs are per gate", 0, 2, []check{{unsure("a"), pass("b")}, {pass("a"), unsure("b")}, {unsure("a"), pass("b")}}, 0, 0},
		{"limit 3", 0, 3, []check{{unsure("a")}, {unsure("a")}, {unsure("a")}}, 3, 1},
		{"limit 0 acts as 1", 0, 0, []check{{unsure("a")}}, 1, 1},
		{"fail and inconclusive in one check count once", 5, 1, []check{{fail("a"), unsure("b")}}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &Tracker{FailureLimit: tc.failureLimit, InconclusiveLimit: tc.inconclusiveLimit}
			exhaustedAt := 0
			for i, c := range tc.checks {
				if out := tr.Observe(c); out.Exhausted && exhaustedAt == 0 {
					exhaustedAt = i + 1
				}
			}
			if exhaustedAt != tc.exhaustedAt || tr.Failures != tc.failures {
				t.Errorf("exhausted at check %d with %d failures, want %d with %d", exhaustedAt, tr.Failures, tc.exhaustedAt, tc.failures)
			}
		})
	}
}

func TestTrackerReason(t *testing.T) {
	tr := &Tracker{InconclusiveLimit: 2, Failures: 1, FailureLimit: 1}
	if out := tr.Observe([]Result{unsure("prom"), pass("pods")}); out.Failed {
		t.Fatalf("one inconclusive failed the check: %+v", out)
	}
	out := tr.Observe([]Result{unsure("prom"), fail("hook")})
	want := "prom: Inconclusive: no data (inconclusive 2 times in a row); hook: Fail: too many errors"
	if !out.Failed || out.Reason != want || !out.Exhausted {
		t.Errorf("got %+v, want failed and exhausted with reason %q", out, want)
	}
	if strings.Contains(tr.Observe([]Result{pass("prom")}).Reason, "prom") {
		t.Error("a passing check has a reason")
	}
}
