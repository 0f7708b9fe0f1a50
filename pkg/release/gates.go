package release

import "strconv"

// Verdict is what one check of one gate of a progression concluded.
type Verdict string

// The verdicts.
const (
	// Pass means the gate found the release healthy.
	Pass Verdict = "Pass"
	// Fail means the gate found the release unhealthy.
	Fail Verdict = "Fail"
	// Inconclusive means the gate could not judge: no data, or its source
	// did not answer. A run of them counts as a failure.
	Inconclusive Verdict = "Inconclusive"
)

// GateResult is the outcome of one check of one gate, as the release's
// record and `status -o json` carry it.
type GateResult struct {
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
func (r GateResult) String() string {
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
