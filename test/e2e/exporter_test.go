//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// exporter serves, on 127.0.0.1, the request counters a real application
// would export: http_requests_total{app,track,code}. Each series grows at a
// rate the test sets and may change at any time, so Prometheus, scraping it,
// sees the traffic of a healthy or a failing canary.
type exporter struct {
	URL string // http://127.0.0.1:PORT, metrics at /metrics

	mu     sync.Mutex
	series map[requestSeries]*counter
}

// requestSeries is one series' labels.
type requestSeries struct{ app, track, code string }

// counter grows at rate per second from since on, starting at value.
type counter struct {
	value, rate float64
	since       time.Time
}

func (c *counter) at(now time.Time) float64 {
	return c.value + c.rate*now.Sub(c.since).Seconds()
}

// newExporter starts an exporter with no series, stopped when the test ends.
func newExporter(t *testing.T) *exporter {
	t.Helper()
	e := &exporter{series: map[requestSeries]*counter{}}
	srv := httptest.NewServer(http.HandlerFunc(e.serveMetrics))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// setRate makes the series app/track/code grow at perSecond from now on
// (zero keeps it, flat); a series appears when its rate is first set.
func (e *exporter) setRate(app, track, code string, perSecond float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	key := requestSeries{app, track, code}
	c := e.series[key]
	if c == nil {
		c = &counter{}
		e.series[key] = c
	} else {
		c.value = c.at(now)
	}
	c.rate, c.since = perSecond, now
}

// setTraffic sets one track's traffic: total requests per second, of which
// the fraction errorRatio answer 500 and the rest 200.
func (e *exporter) setTraffic(app, track string, total, errorRatio float64) {
	e.setRate(app, track, "200", total*(1-errorRatio))
	e.setRate(app, track, "500", total*errorRatio)
}

// serveMetrics writes the counters in Prometheus's text format, sorted.
func (e *exporter) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		http.NotFound(w, r)
		return
	}
	e.mu.Lock()
	now := time.Now()
	lines := make([]string, 0, len(e.series))
	for s, c := range e.series {
		lines = append(lines, fmt.Sprintf("http_requests_total{app=%q,track=%q,code=%q} %g", s.app, s.track, s.code, c.at(now)))
	}
	e.mu.Unlock()
	sort.Strings(lines)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP http_requests_total Requests served, by app, track and status code.\n# TYPE http_requests_total counter\n%s\n",
		strings.Join(lines, "\n"))
}
