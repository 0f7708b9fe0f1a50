package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

var now = time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)

func TestProgressionOf(t *testing.T) {
	since := metav1.NewTime(now.Add(-30 * time.Second))
	tests := []struct {
		name string
		p    *release.Progression
		want string
	}{
		{"holding the second step", &release.Progression{Steps: []string{"10", "25", "50"}, Step: 1, Phase: release.ProgressionRunning,
			Since: since, Interval: metav1.Duration{Duration: time.Minute}},
			"step 2/3 25% [10%:done 25%:current 50%:pending] until 2026-11-25T10:05:30Z (30s)"},
		{"paused", &release.Progression{Steps: []string{"10", "pause", "50"}, Step: 1, Phase: release.ProgressionPaused},
			"step 2/3 10% [10%:done pause:current 50%:pending] until  ()"},
		{"promoted", &release.Progression{Steps: []string{"10", "50"}, Step: 1, Held: true, Phase: release.ProgressionPromoted},
			"step 2/2 50% [10%:done 50%:done] until  ()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := progressionOf(tt.p, now)
			var plan []string
			for _, s := range v.Plan {
				plan = append(plan, s.Label+":"+s.State)
			}
			got := fmt.Sprintf("step %d/%d %d%% [%s] until %s (%s)", v.Step, v.Steps, v.Weight, strings.Join(plan, " "), v.Until, v.Left)
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAttention(t *testing.T) {
	failing := canary("a", 10)
	failing.Progression = &release.Progression{Steps: []string{"10"}, Phase: release.ProgressionRunning,
		Gates: []release.GateResult{{Gate: "pods", Verdict: release.Fail}}}
	waiting := canary("b", 10)
	waiting.Progression = &release.Progression{Steps: []string{"pause"}, Phase: release.ProgressionPaused}
	degraded := canary("c", 10)
	degraded.Phase = release.PhaseDegraded
	interrupted := canary("d", 10)
	interrupted.Warnings = []string{"operation interrupted, its process gone: promote by x; run the same command again"}
	tests := []struct {
		st   *release.Status
		want string
	}{
		{canary("ok", 10), ""},
		{failing, "a gate fails"},
		{waiting, "awaiting a decision"},
		{degraded, "degraded"},
		{interrupted, "operation interrupted"},
	}
	for _, tt := range tests {
		if got := strings.Join(attention(tt.st), ", "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.st.Name, got, tt.want)
		}
	}
}

// A chart draws each value seen as a step to the next, up to now, with the
// threshold across.
func TestChartsOf(t *testing.T) {
	at := func(minutes int, v float64, verdict release.Verdict) gatePoint {
		return gatePoint{Time: now.Add(time.Duration(minutes-4) * time.Minute), Results: []release.GateResult{
			{Gate: "errors < 0.1", Verdict: verdict, Value: ptr.To(v), Threshold: "< 0.1"},
			{Gate: "pods", Verdict: release.Pass},
		}}
	}
	charts := chartsOf([]gatePoint{at(0, 0.02, release.Pass), at(2, 0.2, release.Fail)}, now)
	if len(charts) != 1 {
		t.Fatalf("%d charts, want one: the pods gate has no values", len(charts))
	}
	c := charts[0]
	if c.Gate != "errors < 0.1" {
		t.Errorf("gate %q", c.Gate)
	}
	// 4 minutes wide: the second value at half of it; values 0.02..0.2
	// padded by a tenth of their span.
	if c.Line != "0.0,73.3 160.0,73.3 160.0,6.7 320.0,6.7" {
		t.Errorf("line %q", c.Line)
	}
	if c.ThresholdY != "43.7" || len(c.Dots) != 2 || c.Dots[1].Verdict != "fail" {
		t.Errorf("threshold %q, dots %+v", c.ThresholdY, c.Dots)
	}
}
