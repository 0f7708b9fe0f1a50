package gate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/template"
)

// Op is the comparison an analysis's value must satisfy.
type Op string

// The comparisons an analysis may end with.
const (
	Less         Op = "<"
	LessEqual    Op = "<="
	Greater      Op = ">"
	GreaterEqual Op = ">="
	Equal        Op = "=="
	NotEqual     Op = "!="
)

const opChars = "<>=!"

// Holds says whether value op threshold is true.
func (op Op) Holds(value, threshold float64) bool {
	switch op {
	case Less:
		return value < threshold
	case LessEqual:
		return value <= threshold
	case Greater:
		return value > threshold
	case GreaterEqual:
		return value >= threshold
	case Equal:
		return value == threshold
	case NotEqual:
		return value != threshold
	}
	return false
}

func (op Op) valid() bool {
	switch op {
	case Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual:
		return true
	}
	return false
}

// Analysis is a parsed `--analysis 'QUERY OP THRESHOLD'`: a PromQL query,
// written as a Go template over Vars, whose single number must satisfy
// Op Threshold. Build it with ParseAnalysis.
type Analysis struct {
	// Text is the analysis as the user wrote it; it names the gate.
	Text      string
	Query     string // the query's template source
	Op        Op
	Threshold float64
	tmpl      *template.Template
}

// ParseAnalysis parses "QUERY OP THRESHOLD". Only the trailing operator and
// number are the comparison: PromQL's own !=, =~ and > stay in the query. The
// query must be a valid template using only the fields of Vars. Errors name
// the analysis, not the flag: the caller adds that.
func ParseAnalysis(text string) (*Analysis, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, errors.New(`analysis is empty: want "QUERY OP THRESHOLD", e.g. "sum(rate(errors[1m])) < 0.01"`)
	}
	end := strings.LastIndexAny(s, opChars)
	if end < 0 {
		return nil, fmt.Errorf("analysis %q does not end with a comparison such as \"< 0.01\" (operators: < <= > >= == !=)", text)
	}
	threshold, err := strconv.ParseFloat(strings.TrimSpace(s[end+1:]), 64)
	if err != nil || math.IsNaN(threshold) {
		return nil, fmt.Errorf("analysis %q does not end with a comparison such as \"< 0.01\": %q is not a number", text, strings.TrimSpace(s[end+1:]))
	}
	start := end
	for start > 0 && strings.IndexByte(opChars, s[start-1]) >= 0 {
		start--
	}
	op := Op(s[start : end+1])
	if !op.valid() {
		return nil, fmt.Errorf("analysis %q: unknown operator %q: want one of < <= > >= == !=", text, op)
	}
	a := &Analysis{Text: text, Query: strings.TrimSpace(s[:start]), Op: op, Threshold: threshold}
	if a.Query == "" {
		return nil, fmt.Errorf("analysis %q has no query before %q", text, op)
	}
	tmpl, err := template.New("analysis").Parse(a.Query)
	if err != nil {
		return nil, fmt.Errorf("analysis %q: query is not a valid template: %s", text, templateError(err))
	}
	if err := checkFields(tmpl.Root); err != nil {
		return nil, fmt.Errorf("analysis %q: %w", text, err)
	}
	a.tmpl = tmpl
	// Executed once now, so an error that only shows at execution (a
	// function misused) is also caught before anything is written.
	if _, err := a.Render(Vars{}); err != nil {
		return nil, err
	}
	return a, nil
}

// ThresholdString is the comparison as a Result shows it: "< 0.01".
func (a *Analysis) ThresholdString() string {
	return string(a.Op) + " " + strconv.FormatFloat(a.Threshold, 'g', -1, 64)
}

// Render is the query with v's values filled in, as sent to Prometheus.
func (a *Analysis) Render(v Vars) (string, error) {
	var b strings.Builder
	if err := a.tmpl.Execute(&b, v); err != nil {
		return "", fmt.Errorf("analysis %q: %s", a.Text, templateError(err))
	}
	return b.String(), nil
}

// Judge is the verdict on value: Inconclusive for NaN (Prometheus's "no
// data" of a division by zero), else Pass or Fail by the comparison.
func (a *Analysis) Judge(value float64) Verdict {
	switch {
	case math.IsNaN(value):
		return Inconclusive
	case a.Op.Holds(value, a.Threshold):
		return Pass
	}
	return Fail
}

// templateError drops text/template's "template: " prefix, leaving the
// template's name and position ("analysis:1: ...").
func templateError(err error) string {
	return strings.TrimPrefix(err.Error(), "template: ")
}
