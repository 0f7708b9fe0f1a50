//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
)

// errorRatio is the analysis, over a window short enough for tests.
const errorRatio = `sum(rate(http_requests_total{app="{{.Name}}",track="canary",code=~"5.."}[{{.Interval}}]))` +
	` / sum(rate(http_requests_total{app="{{.Name}}",track="canary"}[{{.Interval}}])) < 0.01`

// analysisGate is errorRatio for release name, on Prometheus at url.
func analysisGate(t *testing.T, text, name, url string) *gate.AnalysisGate {
	t.Helper()
	a, err := gate.ParseAnalysis(text)
	if err != nil {
		t.Fatal(err)
	}
	vars := gate.Vars{Name: name, Namespace: "default", Canary: name + "-canary", Stable: name, Service: name, Interval: gate.PromDuration(5 * time.Second)}
	g, err := gate.NewAnalysisGate(a, vars, &gate.Prometheus{URL: url, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// checkUntil checks g every 500 ms until its verdict is want, and fails if
// that takes longer than within; it returns that result.
func checkUntil(t *testing.T, g gate.Gate, want gate.Verdict, within time.Duration) gate.Result {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := g.Check(context.Background())
		if r.Verdict == want {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %s within %s; last: %s", g.Name(), want, within, r)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestPrometheusAnalysisGate runs pkg/gate against a real Prometheus that
// scrapes the test's exporter every second: no cluster involved.
func TestPrometheusAnalysisGate(t *testing.T) {
	exp := newExporter(t)
	exp.setTraffic("web", "canary", 100, 0)
	exp.setTraffic("web", "stable", 300, 0)
	exp.setTraffic("idle", "canary", 0, 0)
	prom := startPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	web := analysisGate(t, errorRatio, "web", prom.URL)
	if err := web.Preflight(context.Background()); err != nil {
		t.Fatalf("preflight: %v", err)
	}

	// Until two scrapes are in the window there is no rate: inconclusive,
	// never a failure; then healthy traffic passes.
	r := checkUntil(t, web, gate.Pass, 15*time.Second)
	if r.Value == nil || *r.Value != 0 || r.Threshold != "< 0.01" {
		t.Errorf("healthy canary: %s, want value 0 against < 0.01", r)
	}

	t.Run("20% errors fail", func(t *testing.T) {
		exp.setTraffic("web", "canary", 100, 0.2)
		start := time.Now()
		r := checkUntil(t, web, gate.Fail, 10*time.Second)
		if r.Value == nil || *r.Value <= 0.01 || *r.Value > 0.21 || !strings.HasSuffix(r.Reason, " is not < 0.01") {
			t.Errorf("failing canary: %s, want a value in (0.01, 0.2]", r)
		}
		t.Logf("failed %s after the errors began: %s", time.Since(start).Round(100*time.Millisecond), r)
	})

	t.Run("no data is inconclusive", func(t *testing.T) {
		r := analysisGate(t, errorRatio, "ghost", prom.URL).Check(context.Background())
		if r.Verdict != gate.Inconclusive || r.Reason != "no data: the query returned an empty vector" {
			t.Errorf("got %s, want inconclusive for an empty vector", r)
		}
		// Series without traffic, once scraped twice: 0/0 is NaN, no data
		// either.
		idle := analysisGate(t, errorRatio, "idle", prom.URL)
		deadline := time.Now().Add(10 * time.Second)
		for r = idle.Check(context.Background()); r.Reason != "no data: the query returned NaN"; r = idle.Check(context.Background()) {
			if r.Verdict != gate.Inconclusive || time.Now().After(deadline) {
				t.Fatalf("got %s, want inconclusive for NaN", r)
			}
			time.Sleep(500 * time.Millisecond)
		}
	})

	t.Run("a result that is not one number is an error naming the query", func(t *testing.T) {
		for text, want := range map[string]string{
			`http_requests_total{app="{{.Name}}"}[5s] < 1`:                  `query "http_requests_total{app=\"web\"}[5s]": the query returned a matrix`,
			`rate(http_requests_total{app="{{.Name}}"}[{{.Interval}}]) < 1`: `query "rate(http_requests_total{app=\"web\"}[5s])": the query returned 4 samples`,
			`sum(rate(http_requests_total{app="{{.Name}}"}[5s]) < 1`:        `query "sum(rate(http_requests_total{app=\"web\"}[5s])": prometheus answered HTTP 400 Bad Request: invalid parameter "query": 1:45: parse error: unclosed left parenthesis`,
		} {
			err := analysisGate(t, text, "web", prom.URL).Preflight(context.Background())
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("preflight of %s: %v, want an error containing %q", text, err, want)
			}
		}
	})

	t.Run("prometheus down is inconclusive, then a failure", func(t *testing.T) {
		prom.stop()
		tracker := &gate.Tracker{InconclusiveLimit: gate.DefaultInconclusiveLimit}
		var out gate.Outcome
		for range gate.DefaultInconclusiveLimit {
			r := web.Check(context.Background())
			if r.Verdict != gate.Inconclusive || !strings.Contains(r.Reason, "prometheus at "+prom.URL+": dial tcp") {
				t.Fatalf("got %s, want inconclusive because prometheus does not answer", r)
			}
			out = tracker.Observe([]gate.Result{r})
		}
		if !out.Exhausted || !strings.Contains(out.Reason, "connection refused") {
			t.Errorf("after %d checks with prometheus down: %+v, want the release failed with the reason", gate.DefaultInconclusiveLimit, out)
		}
		if err := web.Preflight(context.Background()); err == nil {
			t.Error("preflight passes with prometheus down")
		}
	})
}
