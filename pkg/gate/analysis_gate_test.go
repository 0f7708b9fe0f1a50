package gate

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// answering serves Prometheus's API answering every query with body.
func answering(t *testing.T, body string) *Prometheus {
	t.Helper()
	return &Prometheus{URL: serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })}
}

func vector(value string) string {
	return `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"` + value + `"]}]}}`
}

func TestAnalysisGateCheck(t *testing.T) {
	a, err := ParseAnalysis(`sum(errors{app="{{.Name}}"}) < 0.01`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		want       string
	}{
		{"below the threshold", vector("0.001"), `{"gate":"sum(errors{app=\"{{.Name}}\"}) \u003c 0.01","verdict":"Pass","value":0.001,"threshold":"\u003c 0.01"}`},
		{"above the threshold", vector("0.2"), `{"gate":"sum(errors{app=\"{{.Name}}\"}) \u003c 0.01","verdict":"Fail","value":0.2,"threshold":"\u003c 0.01","reason":"0.2 is not \u003c 0.01"}`},
		{"empty vector", `{"status":"success","data":{"resultType":"vector","result":[]}}`, `"verdict":"Inconclusive","threshold":"\u003c 0.01","reason":"no data: the query returned an empty vector"}`},
		{"NaN", vector("NaN"), `"verdict":"Inconclusive","threshold":"\u003c 0.01","reason":"no data: the query returned NaN"}`},
		{"infinity", vector("+Inf"), `"verdict":"Fail","threshold":"\u003c 0.01","reason":"+Inf is not \u003c 0.01"}`},
		{"several samples", `{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]},{"value":[1,"2"]}]}}`,
			`"verdict":"Inconclusive","threshold":"\u003c 0.01","reason":"query \"sum(errors{app=\\\"web\\\"})\": the query returned 2 samples, want one number: aggregate them, e.g. with sum()"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewAnalysisGate(a, Vars{Name: "web"}, answering(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			// As status -o json will carry it: NaN and infinities must not
			// break the encoding.
			got, err := json.Marshal(g.Check(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(string(got), tc.want) {
				t.Errorf("got  %s\nwant …%s", got, tc.want)
			}
		})
	}
}

func TestAnalysisGatePreflight(t *testing.T) {
	a, err := ParseAnalysis(`sum(x{app="{{.Name}}"}) < 1`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewAnalysisGate(a, Vars{Name: "web"}, answering(t, `{"status":"success","data":{"resultType":"vector","result":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Preflight(context.Background()); err != nil {
		t.Errorf("no data is fine before the canary exists, got %v", err)
	}
	g, err = NewAnalysisGate(a, Vars{Name: "web"}, &Prometheus{URL: "http://" + closedAddress(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = g.Preflight(context.Background())
	want := `analysis "sum(x{app=\"{{.Name}}\"}) < 1": query "sum(x{app=\"web\"})": prometheus at http://127.0.0.1:`
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %v, want one starting %q", err, want)
	}
	var _ Preflighter = g
	var _ Gate = g
}

// A redirect is a failed check, not an inconclusive one: the endpoint
// given answered, elsewhere.
func TestAnalysisGateRedirectFails(t *testing.T) {
	a, err := ParseAnalysis(`sum(errors) < 0.01`)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/", http.StatusFound)
	})
	g, err := NewAnalysisGate(a, Vars{}, &Prometheus{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Check(context.Background()); r.Verdict != Fail || !strings.Contains(r.Reason, "redirected to http://127.0.0.1:1/, not followed") {
		t.Errorf("got %s", r)
	}
}
