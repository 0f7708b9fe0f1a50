package dashboard

import (
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// progressionOf shows where p stands at now; nil for none, or one long
// finished.
func progressionOf(p *release.Progression, now time.Time) *progressionView {
	if p == nil {
		return nil
	}
	v := &progressionView{What: "canary", Phase: clean(string(p.Phase)), Step: p.Step + 1, Steps: len(p.Steps), Weight: p.Weight(),
		Reason: clean(p.Reason), Failures: p.Failures}
	if p.Color != "" {
		v.What = "switch to " + clean(string(p.Color))
	}
	for i, step := range p.Steps {
		sv := stepView{Label: clean(step), State: "pending"}
		if step != "pause" {
			sv.Label += "%"
		}
		switch {
		case i < p.Step || i == p.Step && p.Held || p.Phase == release.ProgressionPromoted || p.Phase == release.ProgressionComplete:
			sv.State = "done"
		case i == p.Step:
			sv.State = "current"
		}
		v.Plan = append(v.Plan, sv)
	}
	if p.Phase == release.ProgressionRunning && !p.Held && !p.Since.IsZero() {
		v.Until = p.Since.Add(p.Interval.Duration).UTC().Format(time.RFC3339)
		v.Left = p.Left(now).Round(time.Second).String()
	}
	return v
}

func gatesOf(results []release.GateResult) []gateView {
	out := make([]gateView, len(results))
	for i, r := range results {
		out[i] = gateView{Gate: clean(r.Gate), Verdict: verdictClass(r.Verdict), Label: clean(string(r.Verdict)), Reason: clean(r.Reason)}
		if r.Value != nil {
			out[i].Value = number(*r.Value)
			if r.Threshold != "" {
				out[i].Value += " (want " + clean(r.Threshold) + ")"
			}
		}
	}
	return out
}

func verdictClass(v release.Verdict) string {
	switch v {
	case release.Pass:
		return "pass"
	case release.Fail:
		return "fail"
	}
	return "inconclusive"
}
