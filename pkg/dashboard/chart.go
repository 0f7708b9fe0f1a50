package dashboard

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// The size of a gate's chart, in the units of its SVG.
const chartWidth, chartHeight = 320.0, 80.0

// chartView is a gate's values over time: a step line through them, a dot
// per value seen (coloured by its verdict), and the threshold.
type chartView struct {
	Gate             string
	Width, Height    float64
	Line, ThresholdY string
	Dots             []dot
	Range            string
}

type dot struct {
	X, Y           float64
	Verdict, Title string
}

// chartsOf draws a chart for each gate that measured values, from the
// first value seen to now.
func chartsOf(points []gatePoint, now time.Time) []chartView {
	gates, samples := samplesByGate(points)
	var out []chartView
	for _, gate := range gates {
		out = append(out, chartOf(gate, samples[gate], now))
	}
	return out
}

// gateSample is one value a gate measured, and when.
type gateSample struct {
	at     time.Time
	result release.GateResult
}

// samplesByGate are the values each gate measured, the gates in the order
// they first measured one.
func samplesByGate(points []gatePoint) ([]string, map[string][]gateSample) {
	var gates []string
	samples := map[string][]gateSample{}
	for _, p := range points {
		for _, r := range p.Results {
			if r.Value == nil {
				continue
			}
			if samples[r.Gate] == nil {
				gates = append(gates, r.Gate)
			}
			samples[r.Gate] = append(samples[r.Gate], gateSample{p.Time, r})
		}
	}
	return gates, samples
}

// chartOf draws gate's values s, from the first to now, scaled to the
// values and the threshold.
func chartOf(gate string, s []gateSample, now time.Time) chartView {
	start := s[0].at
	span := max(now.Sub(start), time.Minute)
	lo, hi := *s[0].result.Value, *s[0].result.Value
	threshold, hasThreshold := thresholdOf(s[len(s)-1].result.Threshold)
	for _, x := range s {
		lo, hi = min(lo, *x.result.Value), max(hi, *x.result.Value)
	}
	if hasThreshold {
		lo, hi = min(lo, threshold), max(hi, threshold)
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	pad := (hi - lo) / 10
	lo, hi = lo-pad, hi+pad
	xOf := func(t time.Time) float64 { return chartWidth * float64(t.Sub(start)) / float64(span) }
	yOf := func(v float64) float64 { return chartHeight * (hi - v) / (hi - lo) }
	c := chartView{Gate: clean(gate), Width: chartWidth, Height: chartHeight}
	var line []string
	for i, x := range s {
		y := yOf(*x.result.Value)
		if i > 0 {
			line = append(line, coords(xOf(x.at), yOf(*s[i-1].result.Value)))
		}
		line = append(line, coords(xOf(x.at), y))
		c.Dots = append(c.Dots, dot{X: xOf(x.at), Y: y, Verdict: verdictClass(x.result.Verdict),
			Title: clean(fmt.Sprintf("%s: %s, %s", x.at.Format(time.TimeOnly), number(*x.result.Value), x.result.Verdict))})
	}
	line = append(line, coords(chartWidth, yOf(*s[len(s)-1].result.Value)))
	c.Line = strings.Join(line, " ")
	if hasThreshold {
		c.ThresholdY = strconv.FormatFloat(yOf(threshold), 'f', 1, 64)
	}
	c.Range = fmt.Sprintf("%s to now, %d %s, %s to %s", start.Format(time.TimeOnly), len(s), release.Plural(len(s), "change"), number(lo+pad), number(hi-pad))
	if hasThreshold {
		c.Range += clean(", threshold " + s[len(s)-1].result.Threshold)
	}
	return c
}

func coords(x, y float64) string {
	return strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64)
}

// thresholdOf reads the number of a threshold such as "< 0.01".
func thresholdOf(s string) (float64, bool) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	return v, err == nil
}
