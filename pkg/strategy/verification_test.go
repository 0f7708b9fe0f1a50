package strategy

import (
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// A failed verification is recorded, and blocks a switch to that color
// until it changes, is verified again, or --force.
func TestFailedVerificationBlocksTheSwitch(t *testing.T) {
	rel := greenRelease(release.Blue)
	rel.Green.Generation = 3
	plan, err := BlueGreen{Request: BlueGreenRequest{Images: images("web:2.0.0"), Verify: time.Minute}}.Plan(&plans.Snapshot{Release: rel})
	if err != nil {
		t.Fatal(err)
	}
	hold := plan.Steps[len(plan.Steps)-1]
	if hold.Action != plans.Hold || !hold.Progression.Verify || hold.Progression.Color != release.Green || plan.Progression.Phase != release.ProgressionComplete {
		t.Fatalf("the verification's hold and record: %+v, %+v", hold.Progression, plan.Progression)
	}
	failed, err := BlueGreen{}.Recover(&plans.Snapshot{Release: rel, Progression: hold.Progression}, plans.Failure{Err: errors.New("gates failed"), Gate: true})
	if err != nil || len(failed.Steps) != 0 || failed.Progression.Phase != release.ProgressionRolledBack || failed.Progression.Generation != 3 {
		t.Fatalf("recovery: %+v %v", failed, err)
	}
	s := &plans.Snapshot{Release: rel, Progression: failed.Progression}
	for _, tc := range []struct {
		name    string
		planner Switch
		change  func()
		refused string
	}{
		{"refused", Switch{}, nil, "green (deployment web-green, web=web:2.0.0) failed its verification: gates failed; bring it up again and verify it"},
		{"with steps too", Switch{Steps: []int32{10}, Interval: time.Minute}, nil, "failed its verification"},
		{"--force", Switch{Force: true}, nil, ""},
		{"back to blue", Switch{To: release.Blue}, nil, ""},
		{"green changed since", Switch{}, func() { rel.Green.Generation++ }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.change != nil {
				tc.change()
			}
			_, err := tc.planner.Plan(s)
			if tc.refused == "" && err != nil && strings.Contains(err.Error(), "verification") || tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)) {
				t.Errorf("got %v, want %q", err, tc.refused)
			}
		})
	}
	// A verification under way is no pass either.
	rel.Green.Generation = 3
	if _, err := (Switch{}).Plan(&plans.Snapshot{Release: rel, Progression: hold.Progression}); err == nil || !strings.Contains(err.Error(), "has not passed its verification") {
		t.Errorf("during the verification: %v", err)
	}
}

// promote and abort end a progression under way in the record; a
// progression's own end is its business.
func TestPromoteAndAbortEndAProgression(t *testing.T) {
	stable := fixture.NewDeployment("web").WithImage("web:1.0.0").V()
	started, _ := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2.0.0")})
	rel := newRelease(stable, started.Steps[0].Object.(*appsv1.Deployment))
	running := &release.Progression{Images: []string{"web:2.0.0"}, Steps: []string{"25", "50"}, Phase: release.ProgressionRunning}
	for _, tc := range []struct {
		planner plans.Planner
		phase   release.ProgressionPhase
	}{
		{Promote{}, release.ProgressionPromoted},
		{Abort{}, release.ProgressionRolledBack},
	} {
		plan, err := tc.planner.Plan(&plans.Snapshot{Release: rel, Progression: running})
		if err != nil || plan.Progression == nil || plan.Progression.Phase != tc.phase || plan.Progression.Step != running.Step {
			t.Errorf("%s: %+v %v", tc.planner.Verb(), plan.Progression, err)
		}
		ended := &release.Progression{Phase: release.ProgressionPromoted}
		if plan, _ := tc.planner.Plan(&plans.Snapshot{Release: rel, Progression: ended}); plan.Progression != nil {
			t.Errorf("%s of a progression that ended: %+v", tc.planner.Verb(), plan.Progression)
		}
	}
	// Its canary deleted by hand, abort still ends it in the record.
	plan, err := Abort{}.Plan(&plans.Snapshot{Release: newRelease(stable, nil), Progression: running})
	if err != nil || !plan.Writes() || plan.Progression.Phase != release.ProgressionRolledBack {
		t.Errorf("abort without the canary: %+v %v", plan, err)
	}
}

// A switch under way whose color is no longer ready at its next step is
// refused as a step (the engine rolls it back), not as a command.
func TestSwitchStepRefusedMidWay(t *testing.T) {
	rel := greenRelease(release.Blue)
	rel.SetRoutes([]*release.HTTPRoute{newHTTPRoute("web", true, rule("web"))}, nil)
	p := Switch{Steps: []int32{10, 50}, Interval: time.Minute}
	first, err := p.Plan(&plans.Snapshot{Release: rel})
	if err != nil {
		t.Fatal(err)
	}
	rel = after(rel, first)
	held := *first.Steps[len(first.Steps)-1].Progression
	held.Held = true
	rel.Green.Status.AvailableReplicas, rel.Green.Status.ReadyReplicas = 2, 2
	_, err = p.Plan(&plans.Snapshot{Release: rel, Progression: &held})
	var refused *plans.StepRefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "the next step cannot be taken: green is not ready") {
		t.Errorf("mid-way: %v", err)
	}
	if _, err := p.Plan(&plans.Snapshot{Release: greenReleaseNotReady(t)}); err == nil || errors.As(err, &refused) {
		t.Errorf("at the first step: %v, want a plain refusal", err)
	}
}

func greenReleaseNotReady(t *testing.T) *release.Release {
	t.Helper()
	rel := greenRelease(release.Blue)
	rel.SetRoutes([]*release.HTTPRoute{newHTTPRoute("web", true, rule("web"))}, nil)
	rel.Green.Status.AvailableReplicas, rel.Green.Status.ReadyReplicas = 2, 2
	return rel
}
