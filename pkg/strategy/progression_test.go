package strategy

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func TestParseSteps(t *testing.T) {
	tests := []struct {
		in, want string // want the steps again, or the error
	}{
		{"10,25,50", "10,25,50"},
		{"10, pause ,50", "10,pause,50"},
		{"25,50,pause", "25,50,pause"},
		{"pause,50", `"pause,50" starts with pause`},
		{"10,pause,pause,50", "two pauses in a row"},
		{"10,5", "the weights must increase, and 5 comes after 10"},
		{"10,10", "the weights must increase"},
		{"0,10", "weight 0 is not between 1 and 99 percent"},
		{"10,100", "weight 100 is not between 1 and 99 percent"},
		{"10,x", `"x" is neither a weight in percent nor pause`},
		{"1,50%,pause,75%", "1,50%,pause,75%"},
		{"25%,3", "the weights must increase, and 3 comes after 25"},
		{"10,100%", "weight 100 is not between 1 and 99 percent"},
		{"10,%", `"%" is neither a weight`},
		{"", "no steps given"},
		{"10,", `"" is neither a weight`},
		// A long list is quoted in part, not echoed whole.
		{strings.Repeat("1,", 500) + "1", `"1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"...: the weights must increase, and 1 comes after 1 (step 2)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			steps, err := ParseSteps(tt.in)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				names := make([]string, len(steps))
				for i, s := range steps {
					names[i] = s.String()
				}
				got = strings.Join(names, ",")
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// progression plans a progression of web (9 stable pods, so 10% is
// reachable) from the record rec.
func progression(t *testing.T, rel *release.Release, steps string, rec *release.Progression, noPromote bool) (plans.Plan, error) {
	t.Helper()
	parsed, err := ParseSteps(steps)
	if err != nil {
		t.Fatal(err)
	}
	return Canary{Request: CanaryRequest{Images: images("web:2")}, Progression: &Progression{Steps: parsed, Interval: time.Minute, NoPromote: noPromote}}.
		Plan(&plans.Snapshot{Release: rel, Progression: rec})
}

func TestProgressionWalksItsSteps(t *testing.T) {
	stable := fixture.NewDeployment("web").WithReplicas(9).V()
	first, err := progression(t, newRelease(stable, nil), "10,pause,50", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(first); got != "create web-canary, wait web-canary, hold web-canary" || !first.Continue {
		t.Fatalf("first step: %s (continue %v)", got, first.Continue)
	}
	if !strings.HasPrefix(first.Notes[0], "progression: 1 10% (1 canary pod) held 1m0s; 2 pause; 3 50% (9 canary pods) held 1m0s; then promote") {
		t.Errorf("the schedule is told first: %q", first.Notes[0])
	}
	hold := first.Steps[2].Progression
	if hold.Step != 0 || hold.Phase != release.ProgressionRunning || hold.Weight() != 10 {
		t.Errorf("the hold records step 1: %+v", hold)
	}
	canary := first.Steps[0].Object.(*appsv1.Deployment)
	canary.ResourceVersion = "3"
	rel := newRelease(stable, canary)

	// Interrupted in the hold: the step is held again.
	again, err := progression(t, rel, "10,pause,50", hold, false)
	if err != nil || actions(again) != "wait web-canary, hold web-canary" {
		t.Fatalf("resumed in the hold: %s %v", actions(again), err)
	}
	// Held: the pause is next; the plan awaits a verdict on it, recorded.
	held := *hold
	held.Held = true
	paused, err := progression(t, rel, "10,pause,50", &held, false)
	if err != nil || actions(paused) != "await web-canary" || !paused.Continue || !strings.Contains(paused.Notes[0], "paused at step 2 of 3") {
		t.Fatalf("pause: %s %+v %v", actions(paused), paused, err)
	}
	pause := *paused.Steps[0].Progression
	if pause.Phase != release.ProgressionPaused || pause.Step != 1 {
		t.Fatalf("the await records the pause: %+v", pause)
	}
	pause.Since = metav1.Unix(1700000000, 0)
	// Run again at the pause with no verdict: await it again.
	if again, err := progression(t, rel, "10,pause,50", &pause, false); err != nil || actions(again) != "await web-canary" || again.Steps[0].Progression.Since != pause.Since {
		t.Fatalf("again at the pause: %s %v", actions(again), err)
	}
	// An approval of an earlier pause of the same step is no approval.
	approved := pause
	approved.Approvals = []release.Approval{{Step: 1, Pause: metav1.Unix(1600000000, 0), Verdict: release.VerdictApproved}}
	if again, _ := progression(t, rel, "10,pause,50", &approved, false); actions(again) != "await web-canary" {
		t.Fatalf("an old approval passed the pause: %s", actions(again))
	}
	// Approved: on to 50%.
	approved.Approvals = append(approved.Approvals, release.Approval{Step: 1, Pause: pause.Since, Verdict: release.VerdictApproved, User: "alice"})
	next, err := progression(t, rel, "10,pause,50", &approved, false)
	if err != nil || actions(next) != "patch web-canary, wait web-canary, hold web-canary" || next.Steps[2].Progression.Step != 2 {
		t.Fatalf("after the pause: %s %v", actions(next), err)
	}
	// Rejected with no process to act on it: rolled back as abort does.
	rejected := pause
	rejected.Approvals = []release.Approval{{Step: 1, Pause: pause.Since, Verdict: release.VerdictRejected, User: "bob", Reason: "not today"}}
	back, err := progression(t, rel, "10,pause,50", &rejected, false)
	if err != nil || actions(back) != "delete web-canary" || back.Progression.Phase != release.ProgressionRolledBack || back.Progression.Reason != "step 2 of 3: rejected by bob: not today" {
		t.Fatalf("rejected: %s %+v %v", actions(back), back.Progression, err)
	}
	// The last step held: promote, and record it.
	last := *next.Steps[2].Progression
	last.Held = true
	end, err := progression(t, rel, "10,pause,50", &last, false)
	if err != nil || !strings.HasPrefix(actions(end), "patch web, wait web, delete web-canary") || end.Continue || end.Progression.Phase != release.ProgressionPromoted {
		t.Fatalf("promotion: %s %v", actions(end), err)
	}
	// --no-promote stays at the last step.
	stay, err := progression(t, rel, "10,pause,50", &last, true)
	if err != nil || len(stay.Steps) != 0 || stay.Progression.Phase != release.ProgressionComplete {
		t.Fatalf("--no-promote: %s %v", actions(stay), err)
	}
}

func TestProgressionRefusals(t *testing.T) {
	three := fixture.NewDeployment("web").V()
	if _, err := progression(t, newRelease(three, nil), "10,50", nil, false); err == nil ||
		!strings.Contains(err.Error(), "step 10%: weight 10% cannot be reached beside 3 stable pods") {
		t.Errorf("an unreachable step must be refused before anything starts: %v", err)
	}
	stable := fixture.NewDeployment("web").WithReplicas(9).V()
	first, _ := progression(t, newRelease(stable, nil), "10,50", nil, false)
	other := &release.Progression{Images: []string{"web:3"}, Steps: []string{"10", "50"}, Phase: release.ProgressionRunning}
	rel := newRelease(stable, first.Steps[0].Object.(*appsv1.Deployment))
	if _, err := progression(t, rel, "10,50", other, false); err == nil || !strings.Contains(err.Error(), "has another progression under way (web:3 through 10,50, at step 1 of 2): pass --replace") {
		t.Errorf("another progression under way: %v", err)
	}
}

// A gate's failure aborts the progression, recording why.
func TestProgressionRecoverAborts(t *testing.T) {
	stable := fixture.NewDeployment("web").WithReplicas(9).V()
	first, _ := progression(t, newRelease(stable, nil), "10,50", nil, false)
	rel := newRelease(stable, first.Steps[0].Object.(*appsv1.Deployment))
	steps, _ := ParseSteps("10,50")
	p := Canary{Request: CanaryRequest{Images: images("web:2")}, Progression: &Progression{Steps: steps}}
	plan, err := p.Recover(&plans.Snapshot{Release: rel, Progression: first.Steps[2].Progression}, plans.Failure{Err: errString("error rate 0.2"), Gate: true})
	if err != nil || actions(plan) != "delete web-canary" || plan.Progression.Phase != release.ProgressionRolledBack || plan.Progression.Reason != "error rate 0.2" {
		t.Fatalf("recover: %s %+v %v", actions(plan), plan.Progression, err)
	}
	if plan, _ := p.Recover(&plans.Snapshot{Release: rel}, plans.Failure{Err: errString("timeout")}); len(plan.Steps) != 0 {
		t.Errorf("a failure that is no gate's is left as it is: %s", actions(plan))
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// Through a route the schedule counts the pods each step's canary gets to
// carry its weight, not a share of the pods.
func TestProgressionScheduleThroughARoute(t *testing.T) {
	rel := appOnlyRouted(newHTTPRoute("web", true, rule("web")))
	first, err := progression(t, rel, "10,50", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.Notes[0], "progression: 1 10% (1 canary pod) held 1m0s; 2 50% (2 canary pods) held 1m0s; then promote") {
		t.Errorf("the schedule: %q", first.Notes[0])
	}
}
