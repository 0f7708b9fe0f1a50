package strategy

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// weights are the backend weights of a route's first rule, by Service.
func weights(route *release.HTTPRoute) map[string]int64 {
	out := map[string]int64{}
	for _, ref := range httproute.RulesOf(route.Object)[0].(map[string]any)["backendRefs"].([]any) {
		r := ref.(map[string]any)
		w, ok := r["weight"].(int64)
		if !ok {
			w = 1
		}
		out[r["name"].(string)] = w
	}
	return out
}

func TestSwitchStepByStepThroughAnHTTPRoute(t *testing.T) {
	rel := greenRelease(release.Blue)
	route := newHTTPRoute("web", true, rule("web"))
	before := rulesJSON(route)
	rel.SetRoutes([]*release.HTTPRoute{route}, nil)
	p := Switch{Steps: []int32{10, 50}, Interval: time.Minute, VerifyFor: 2 * time.Minute}

	// Each step: green's share, held while the gates are checked, recorded;
	// then the next from the record.
	var rec *release.Progression
	for i, want := range []struct {
		actions string
		green   int64
		hold    time.Duration
	}{
		{"create svc/web-green, wait svc/web-green, patch httproute/web, hold web-green", 10, time.Minute},
		{"wait svc/web-green, patch httproute/web, hold web-green", 50, time.Minute},
		{"wait svc/web-green, patch httproute/web, hold web-green", 100, 2 * time.Minute},
	} {
		plan, err := p.Plan(&plans.Snapshot{Release: rel, Progression: rec})
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if got := actions(plan); got != want.actions {
			t.Fatalf("step %d:\n got %s\nwant %s", i+1, got, want.actions)
		}
		rel = after(rel, plan)
		if w := weights(rel.HTTPRoutes[0]); w["web-green"] != want.green || w["web"] != 100-want.green {
			t.Errorf("step %d: weights %v, want green %d", i+1, w, want.green)
		}
		hold := plan.Steps[len(plan.Steps)-1]
		if hold.Duration != want.hold || hold.Progression.Step != i || hold.Progression.Color != release.Green ||
			strings.Join(hold.Progression.Steps, ",") != "10,50,100" {
			t.Errorf("step %d: hold %s, record %+v", i+1, hold.Duration, hold.Progression)
		}
		last := i == 2
		if plan.Continue == last || last != (plan.Progression != nil && plan.Progression.Phase == release.ProgressionComplete) {
			t.Errorf("step %d: continue %v, record at the end %+v", i+1, plan.Continue, plan.Progression)
		}
		held := *hold.Progression
		held.Held = true
		rec = &held
		if last {
			rec = plan.Progression
		}
	}
	if plan, err := p.Plan(&plans.Snapshot{Release: rel, Progression: rec}); err != nil || plan.Writes() {
		t.Errorf("held to the end, again: %v, %s", err, actions(plan))
	}

	// Interrupted in the hold of step 2: the same command holds it again,
	// changing nothing; a failed check then switches back to blue, the
	// route exactly as it was, and records why.
	rel = greenRelease(release.Blue)
	rel.SetRoutes([]*release.HTTPRoute{newHTTPRoute("web", true, rule("web"))}, nil)
	var plan plans.Plan
	rec = nil
	for range 2 {
		var err error
		if plan, err = p.Plan(&plans.Snapshot{Release: rel, Progression: rec}); err != nil {
			t.Fatal(err)
		}
		rel, rec = after(rel, plan), plan.Steps[len(plan.Steps)-1].Progression
		rec.Held = rec.Step == 0
	}
	resumed, err := p.Plan(&plans.Snapshot{Release: rel, Progression: rec})
	if err != nil || actions(resumed) != "wait svc/web-green, hold web-green" || resumed.Steps[1].Progression.Step != 1 {
		t.Fatalf("resumed: %v, %s", err, actions(resumed))
	}
	back, err := p.Recover(&plans.Snapshot{Release: rel, Progression: rec}, plans.Failure{Gate: true, Err: errString("error rate 0.2 is not < 0.1")})
	if err != nil || actions(back) != "wait svc/web, patch httproute/web, delete svc/web-green" {
		t.Fatalf("rolled back: %v, %s", err, actions(back))
	}
	if got := rulesJSON(after(rel, back).HTTPRoutes[0]); got != before {
		t.Errorf("rolled back, the rules should be as they were:\n got %s\nwant %s", got, before)
	}
	if r := back.Progression; r == nil || r.Phase != release.ProgressionRolledBack || r.Step != 1 || r.Reason != "error rate 0.2 is not < 0.1" {
		t.Errorf("the record: %+v", r)
	}
}

func TestSwitchVerifiedResumes(t *testing.T) {
	rel := greenRelease(release.Blue)
	p := Switch{VerifyFor: time.Minute, ScaleDownDelay: time.Hour}
	plan, err := p.Plan(&plans.Snapshot{Release: rel})
	if err != nil {
		t.Fatal(err)
	}
	// Verified before the color that stopped serving is scaled down.
	if got := actions(plan); got != "patch svc/web, wait svc/web, hold web-green, stay ?, patch web" {
		t.Fatalf("steps: %s", got)
	}
	if plan.Continue || plan.Progression == nil || plan.Progression.Phase != release.ProgressionComplete {
		t.Errorf("one segment, recorded complete at its end: %+v", plan.Progression)
	}
	switched := greenRelease(release.Green)
	running := *plan.Steps[2].Progression
	resumed, err := p.Plan(&plans.Snapshot{Release: switched, Progression: &running})
	if err != nil || actions(resumed) != "hold web-green" {
		t.Errorf("interrupted in the hold, resumed: %v, %s", err, actions(resumed))
	}
	if again, err := p.Plan(&plans.Snapshot{Release: switched, Progression: plan.Progression}); err != nil || again.Writes() {
		t.Errorf("held to the end, again: %v, %s", err, actions(again))
	}
	if _, err := (Switch{Steps: []int32{10}, Interval: time.Minute}).Plan(&plans.Snapshot{Release: rel}); err == nil ||
		!strings.Contains(err.Error(), "switches through the selectors of its Services, all at once") {
		t.Errorf("steps without a route: %v", err)
	}
}
