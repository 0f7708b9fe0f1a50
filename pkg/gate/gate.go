// Package gate judges the health of a release while it progresses: the
// built-in pod checks (pure, from listed objects), Prometheus analyses and
// webhooks (HTTP, through a client the caller hands in), and the tracker that
// turns a run of check results into "roll back now". It knows nothing of
// cobra or of how objects are fetched: the operation engine lists the pods,
// builds the gates and records their Results.
package gate

import (
	"context"
	"strconv"
	"time"
)

// Verdict is what one check of one gate concluded.
type Verdict string

const (
	// Pass means the gate found the release healthy.
	Pass Verdict = "Pass"
	// Fail means the gate found the release unhealthy.
	Fail Verdict = "Fail"
	// Inconclusive means the gate could not judge: no data, or its source
	// did not answer. A run of them counts as a failure (see Tracker).
	Inconclusive Verdict = "Inconclusive"
)

// DefaultTimeout bounds one Prometheus query or webhook call.
const DefaultTimeout = 10 * time.Second

// Result is the outcome of one check of one gate, as the release's record
// and `status -o json` carry it.
type Result struct {
	// Gate names the gate: "pods", the analysis as written, "webhook URL".
	Gate    string  `json:"gate"`
	Verdict Verdict `json:"verdict"`
	// Value is the number the gate measured, when it measured one.
	Value *float64 `json:"value,omitempty"`
	// Threshold is the comparison the value must satisfy, e.g. "< 0.01".
	Threshold string `json:"threshold,omitempty"`
	// Reason says why the verdict is not Pass (or what passed, briefly).
	Reason string `json:"reason,omitempty"`
}

// String is the result on one line, for progress output and events:
// `pods: Fail (canary pod web-canary-x: container app waiting: CrashLoopBackOff)`.
func (r Result) String() string {
	s := r.Gate + ": " + string(r.Verdict)
	if r.Value != nil {
		s += " (value " + strconv.FormatFloat(*r.Value, 'g', -1, 64)
		if r.Threshold != "" {
			s += ", want " + r.Threshold
		}
		s += ")"
	}
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

// Gate is one health check, run again at every check of a progression. Check
// never returns an error: what goes wrong becomes a Fail or an Inconclusive
// with its reason, as the release's record must show it.
type Gate interface {
	Name() string
	Check(ctx context.Context) Result
}

// Preflighter is a gate that can tell, once before anything is written,
// whether it can be evaluated at all (a query Prometheus rejects, a
// Prometheus that does not answer): such an error is the user's to fix, so
// the command stops instead of starting a release it cannot judge.
type Preflighter interface {
	Preflight(ctx context.Context) error
}

// withTimeout bounds ctx by d, or by DefaultTimeout when d is not positive.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	if d <= 0 {
		d = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, d
}
