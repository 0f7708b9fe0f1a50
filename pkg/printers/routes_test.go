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
			{Matches: []string{"PathPrefix /, header X-Canary=always"}, Backends: []release.RouteBackend{{Service: "ctwoc-canary", Role: "canary", Weight: 1, Percent: 100}}, CanaryShare: ptr.To(100.0)},
			{Matches: []string{"PathPrefix /"}, Backends: []release.RouteBackend{
				{Service: "ctwoc-stable", Role: "stable", Weight: 95, Percent: 95}, {Service: "ctwoc-canary", Role: "canary", Weight: 5, Percent: 5}}, CanaryShare: ptr.To(5.0)},
		},
	}, {
		// Another route to the Service: the canary gets its share of the pods.
		Kind: release.KindHTTPRoute, Name: "admin", CanaryShare: ptr.To(25.0),
		Parents: []release.RouteParent{{Name: "gw", Accepted: true, ResolvedRefs: "False/RefNotPermitted"}},
		Rules: []release.RouteRuleStatus{{Backends: []release.RouteBackend{{Service: "ctwoc", Weight: 1, Percent: 100}}, CanaryShare: ptr.To(25.0)},
			{Backends: []release.RouteBackend{{Service: "ctwoc-old", Weight: 1, Percent: 100, Missing: true}}}},
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

// A route the release runs through that is gone: one line says so, and
// list shows no weight.
func TestStatusTextWithAGoneRoute(t *testing.T) {
	st := routedStatus()
	st.Routes = []release.RouteStatus{{Kind: release.KindHTTPRoute, Name: "ctwoc", Drives: true, Missing: true}}
	var out bytes.Buffer
	if err := Routes(&out, st); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "httproute/ctwoc (drives the release)   -         -         not found") {
		t.Errorf("routes:\n%s", out.String())
	}
	if got := RouteWeight(st); got != "- (route gone)" {
		t.Errorf("weight %q", got)
	}
}
