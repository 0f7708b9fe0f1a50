package gate

import (
	"math"
	"strings"
	"testing"
	"time"
)

const errorRate = `sum(rate(http_requests_total{app="{{.Name}}",track="canary",code=~"5.."}[1m])) / sum(rate(http_requests_total{app="{{.Name}}",track="canary"}[1m]))`

func TestParseAnalysis(t *testing.T) {
	for _, tc := range []struct {
		name, text, query string
		op                Op
		threshold         float64
	}{
		{"the issue's example", errorRate + " < 0.01", errorRate, Less, 0.01},
		{"no spaces around the operator", `up{job="x"}>=1`, `up{job="x"}`, GreaterEqual, 1},
		{"PromQL's != stays in the query", `sum(up{job!="x"}) != 0`, `sum(up{job!="x"})`, NotEqual, 0},
		{"PromQL's > stays in the query", `count(up > 0) == 3`, `count(up > 0)`, Equal, 3},
		{"a negative exponent", `x <= 1e-3`, `x`, LessEqual, 0.001},
		{"a negative threshold", `delta(x[5m]) > -2.5`, `delta(x[5m])`, Greater, -2.5},
		{"surrounding spaces", "  x < 1  ", "x", Less, 1},
		{"$ is the top-level dot", `x{ns="{{$.Namespace}}"} < 1`, `x{ns="{{$.Namespace}}"}`, Less, 1},
		{"fields inside if and with", `x{a="{{if .Canary}}{{.Canary}}{{else}}{{.Stable}}{{end}}{{with .Service}}{{.}}{{end}}"} < 1`,
			`x{a="{{if .Canary}}{{.Canary}}{{else}}{{.Stable}}{{end}}{{with .Service}}{{.}}{{end}}"}`, Less, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAnalysis(tc.text)
			if err != nil {
				t.Fatalf("ParseAnalysis(%q): %v", tc.text, err)
			}
			if a.Query != tc.query || a.Op != tc.op || a.Threshold != tc.threshold || a.Text != tc.text {
				t.Errorf("got query %q op %q threshold %g text %q, want %q %q %g", a.Query, a.Op, a.Threshold, a.Text, tc.query, tc.op, tc.threshold)
			}
		})
	}
}

func TestParseAnalysisErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "  ", `analysis is empty: want "QUERY OP THRESHOLD"`},
		{"no comparison", "sum(rate(x[1m]))", `analysis "sum(rate(x[1m]))" does not end with a comparison such as "< 0.01" (operators: < <= > >= == !=)`},
		{"ends inside PromQL", `x{code!="500"}`, `analysis "x{code!=\"500\"}" does not end with a comparison such as "< 0.01": "\"500\"}" is not a number`},
		{"threshold not a number", "x < abc", `analysis "x < abc" does not end with a comparison such as "< 0.01": "abc" is not a number`},
		{"threshold NaN", "x < NaN", `"NaN" is not a number`},
		{"no threshold", "x <", `"" is not a number`},
		{"unknown operator", "x =< 1", `analysis "x =< 1": unknown operator "=<": want one of < <= > >= == !=`},
		{"single =", "x = 1", `unknown operator "="`},
		{"three characters", "x >=< 1", `unknown operator ">=<"`},
		{"no query", "< 1", `analysis "< 1" has no query before "<"`},
		{"unknown field", `x{app="{{.Release}}"} < 1`, `analysis "x{app=\"{{.Release}}\"} < 1": unknown template field .Release: the fields are .Name, .Namespace, .Canary, .Stable, .Service, .Interval`},
		{"unknown field in if", `x{{if .Track}}y{{end}} < 1`, "unknown template field .Track"},
		{"unknown field after $", `x{{$.Foo}} < 1`, "unknown template field .Foo"},
		{"unknown field in a pipeline", `x{{.Foo | printf "%s"}} < 1`, "unknown template field .Foo"},
		{"unclosed action", `x{app="{{.Name"} < 1`, `query is not a valid template: analysis:1:`},
		{"fails when run", `x{{index .Name 5}} < 1`, "error calling index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAnalysis(tc.text)
			if err == nil {
				t.Fatalf("ParseAnalysis(%q) = %+v, want an error", tc.text, a)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	a, err := ParseAnalysis(`sum(rate(x{app="{{.Name}}",ns="{{.Namespace}}",d=~"{{.Canary}}|{{.Stable}}",svc="{{.Service}}"}[{{.Interval}}])) < 1`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Render(Vars{Name: "web", Namespace: "prod", Canary: "web-canary", Stable: "web", Service: "web-svc", Interval: PromDuration(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `sum(rate(x{app="web",ns="prod",d=~"web-canary|web",svc="web-svc"}[2m]))`; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		text  string
		value float64
		want  Verdict
	}{
		{"x < 0.01", 0.001, Pass},
		{"x < 0.01", 0.01, Fail},
		{"x <= 0.01", 0.01, Pass},
		{"x > 5", 5, Fail},
		{"x >= 5", 5, Pass},
		{"x == 3", 3, Pass},
		{"x != 3", 3, Fail},
		{"x < 1", math.NaN(), Inconclusive},
		{"x > 1", math.Inf(1), Pass},
	} {
		a, err := ParseAnalysis(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Judge(tc.value); got != tc.want {
			t.Errorf("%s with %g: %s, want %s", tc.text, tc.value, got, tc.want)
		}
	}
}

func TestThresholdString(t *testing.T) {
	a, err := ParseAnalysis("x >= 1e-3")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.ThresholdString(); got != ">= 0.001" {
		t.Errorf("ThresholdString = %q, want %q", got, ">= 0.001")
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Minute:         "2m",
		90 * time.Second:        "1m30s",
		time.Hour + time.Second: "1h1s",
		1500 * time.Millisecond: "1500ms",
		0:                       "0s",
	} {
		if got := PromDuration(d); got != want {
			t.Errorf("PromDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
