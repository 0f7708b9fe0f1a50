package printers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// routedStatus is a canary at 5% through an HTTPRoute no gateway accepted,
// with a header rule.
func routedStatus() *release.Status {
	st := canaryStatus()
	st.Services[0].SessionAffinity, st.Services[0].RequestedWeight = "None", nil
	st.Operation = ""
	st.Routes = []release.RouteStatus{{
		Kind: release.KindHTTPRoute, Name: "ctwoc", Drives: true, CanaryWeight: ptr.To(5.0),
		Parents: []release.RouteParent{{Name: "gw", SectionName: "https"}},
		Rules: []release.RouteRuleStatus{
			{Matches: []string{"PathPrefix /, header X-Canary=always"}, Backends: []release.RouteBackend{{Service: "ctwoc-canary", Role: "canary", Weight: 1, Percent: 100}}},
			{Matches: []string{"PathPrefix /"}, Backends: []release.RouteBackend{
				{Service: "ctwoc-stable", Role: "stable", Weight: 95, Percent: 95}, {Service: "ctwoc-canary", Role: "canary", Weight: 5, Percent: 5}}},
		},
	}}
	st.Warnings = []string{"httproute ctwoc: the route says 5% but no gateway has accepted it"}
	return st
}

func TestStatusTextWithRoutes(t *testing.T) {
	var out bytes.Buffer
	if err := Status(&out, routedStatus()); err != nil {
		t.Fatal(err)
	}
	golden(t, "status-routes.txt", out.Bytes())
}

func TestReleaseTableShowsTheRouteWeight(t *testing.T) {
	table := ReleaseTable(&release.StatusList{Items: []*release.Status{routedStatus()}}, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	for i, c := range table.ColumnDefinitions {
		if strings.EqualFold(c.Name, "weight") {
			if got := table.Rows[0].Cells[i]; got != "5% (route)" {
				t.Errorf("weight %q, want the route's", got)
			}
			return
		}
	}
	t.Error("no weight column")
}
