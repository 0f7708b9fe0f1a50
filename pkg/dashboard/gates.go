package dashboard

import (
	"reflect"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// maxPoints bounds the checks kept of a release's gates: at the default
// check every 10s, 40 minutes of them.
const maxPoints = 240

// gatePoint is what the gates of a release said, as first seen at Time.
type gatePoint struct {
	Time    time.Time
	Step    int
	Results []release.GateResult
}

// gateSeries is each result of a release's gates the dashboard saw, from
// the progression its lock records (which keeps only the last check):
// the values over time of the page's chart, since the dashboard started.
type gateSeries struct {
	points []gatePoint
}

// observe keeps p's results when they differ from the last kept.
func (s *gateSeries) observe(now time.Time, p *release.Progression) {
	if n := len(s.points); n > 0 && s.points[n-1].Step == p.Step && reflect.DeepEqual(s.points[n-1].Results, p.Gates) {
		return
	}
	s.points = append(s.points, gatePoint{Time: now, Step: p.Step, Results: p.Gates})
	if len(s.points) > maxPoints {
		s.points = s.points[len(s.points)-maxPoints:]
	}
}
