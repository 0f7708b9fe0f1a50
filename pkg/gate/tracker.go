package gate

import (
	"strconv"
	"strings"
)

// DefaultInconclusiveLimit is --inconclusive-limit's default: two
// inconclusive checks in a row of one gate count as one failure.
const DefaultInconclusiveLimit = 2

// Tracker decides from a sequence of checks when a release has failed:
// --failure-limit N allows N failed checks (the default 0 fails the release
// at the first), and InconclusiveLimit inconclusive results in a row of one
// gate count as one failed check. It is pure: the engine feeds it every
// check's results and records Failures to resume.
type Tracker struct {
	// FailureLimit is how many failed checks the release survives.
	FailureLimit int
	// InconclusiveLimit is how many Inconclusive results in a row of one
	// gate make a failed check; below 1 it acts as 1.
	InconclusiveLimit int
	// Failures counts the failed checks so far; set it when resuming.
	Failures int

	// runs counts each gate's Inconclusive results in a row.
	runs map[string]int
}

// Outcome is what one check amounted to.
type Outcome struct {
	// Failed says the check counted as a failure; Reason says why, naming
	// the gates.
	Failed bool
	Reason string
	// Exhausted says the failures are past the limit: roll back now.
	Exhausted bool
}

// Observe counts one check, given the results of all the gates in it.
func (t *Tracker) Observe(results []Result) Outcome {
	if t.runs == nil {
		t.runs = map[string]int{}
	}
	limit := max(t.InconclusiveLimit, 1)
	var reasons []string
	for _, r := range results {
		switch r.Verdict {
		case Fail:
			t.runs[r.Gate] = 0
			reasons = append(reasons, r.String())
		case Inconclusive:
			t.runs[r.Gate]++
			if t.runs[r.Gate] >= limit {
				// The run is spent: the next failure needs a new run.
				t.runs[r.Gate] = 0
				reasons = append(reasons, r.String()+inconclusiveSuffix(limit))
			}
		default:
			t.runs[r.Gate] = 0
		}
	}
	if len(reasons) == 0 {
		return Outcome{}
	}
	t.Failures++
	return Outcome{Failed: true, Reason: strings.Join(reasons, "; "), Exhausted: t.Failures > t.FailureLimit}
}

func inconclusiveSuffix(limit int) string {
	if limit == 1 {
		return ""
	}
	return " (inconclusive " + strconv.Itoa(limit) + " times in a row)"
}
