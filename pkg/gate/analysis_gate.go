package gate

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// AnalysisGate checks one analysis against Prometheus: its query, rendered
// once for the release, must return a number satisfying the comparison.
type AnalysisGate struct {
	analysis *Analysis
	query    string
	prom     *Prometheus
}

// NewAnalysisGate renders a's query with v and returns the gate that runs it
// on prom. A query that cannot be rendered is an error naming the analysis.
func NewAnalysisGate(a *Analysis, v Vars, prom *Prometheus) (*AnalysisGate, error) {
	q, err := a.Render(v)
	if err != nil {
		return nil, err
	}
	return &AnalysisGate{analysis: a, query: q, prom: prom}, nil
}

// Name is the analysis as the user wrote it.
func (g *AnalysisGate) Name() string { return g.analysis.Text }

// Query is the rendered query, as sent to Prometheus (for --dry-run).
func (g *AnalysisGate) Query() string { return g.query }

// Check runs the query once. No data (an empty vector or NaN), an error
// answer, a timeout or a result that is not one number are Inconclusive,
// with the reason; otherwise the comparison decides.
func (g *AnalysisGate) Check(ctx context.Context) Result {
	r := Result{Gate: g.Name(), Threshold: g.analysis.ThresholdString()}
	value, ok, err := g.prom.Query(ctx, g.query)
	var redirect *RedirectError
	switch {
	case errors.As(err, &redirect):
		r.Verdict, r.Reason = Fail, fmt.Sprintf("query %q: %v", g.query, err)
	case err != nil:
		r.Verdict, r.Reason = Inconclusive, fmt.Sprintf("query %q: %v", g.query, err)
	case !ok:
		r.Verdict, r.Reason = Inconclusive, "no data: the query returned an empty vector"
	default:
		r.Verdict = g.analysis.Judge(value)
		if math.IsInf(value, 0) {
			// JSON has no infinity: the value goes into the reason instead.
			r.Reason = fmt.Sprintf("value %g", value)
		} else if !math.IsNaN(value) {
			r.Value = &value
		}
		switch r.Verdict {
		case Inconclusive:
			r.Reason = "no data: the query returned NaN"
		case Fail:
			r.Reason = fmt.Sprintf("%g is not %s", value, r.Threshold)
		}
	}
	return r
}

// Preflight runs the query once and fails when Prometheus cannot answer it:
// unreachable, a query it rejects, a result that is not one number. No
// data is fine: the canary may not exist yet.
func (g *AnalysisGate) Preflight(ctx context.Context) error {
	if _, _, err := g.prom.Query(ctx, g.query); err != nil {
		return fmt.Errorf("analysis %q: query %q: %w", g.analysis.Text, g.query, err)
	}
	return nil
}
