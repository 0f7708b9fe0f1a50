package strategy

import (
	"fmt"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// The verbs' planners.

// Canary starts or resizes a canary; with a Progression it advances the
// canary through its steps by itself.
type Canary struct {
	Request     CanaryRequest
	Progression *Progression
}

// Promote makes the canary's pod template the stable one.
type Promote struct{}

// Abort removes the canary.
type Abort struct{}

// BlueGreen brings new images up in the idle color.
type BlueGreen struct{ Request BlueGreenRequest }

// Switch points the Services at a color, or the route that sends them
// traffic; with ScaleDownDelay it then stays that long and scales the color
// that stopped serving to zero. With Steps, green takes each of these
// shares of the route's traffic in turn, each held for Interval while the
// gates are checked, before it takes all of it; with VerifyFor, the switch
// is then held that long.
type Switch struct {
	To             release.Color
	Force          bool
	Steps          []int32
	Interval       time.Duration
	VerifyFor      time.Duration
	ScaleDownDelay time.Duration
	Route          RouteChoice
}

// Cleanup scales the idle color to zero, or deletes green.
type Cleanup struct{ Delete bool }

// Scale resizes a release as a whole.
type Scale struct{ Request ScaleRequest }

// SetImage rolls the stable Deployment to new images; with UndoOnFailure a
// rollout that fails is rolled back to the previous revision.
type SetImage struct {
	Images        []Image
	UndoOnFailure bool
}

// Verb is "canary".
func (Canary) Verb() string { return "canary" }

// Needs is the autoscalers, to warn of them, and the routes it may run
// through.
func (p Canary) Needs() plans.Needs {
	return plans.Needs{Autoscalers: true, Routes: p.Request.Route.Needs(), StatefulSet: true}
}

// Plan plans canary from s. Like every verb that changes a release, it
// refuses one whose canary or green was made by hand until it is adopted.
func (p Canary) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) {
		if p.Progression != nil {
			return planProgression(s, p.Request, *p.Progression)
		}
		return workloadOf(s).canary(p.Request)
	})
}

// Verb is "promote".
func (Promote) Verb() string { return "promote" }

// Needs is the route the release runs through, if any.
func (Promote) Needs() plans.Needs {
	return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}, StatefulSet: true}
}

// Plan plans promote from s. A progression under way ends promoted, by
// this command, in the release's record.
func (Promote) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) {
		plan, err := workloadOf(s).promote()
		if rec := s.Progression; err == nil && canaryProgression(rec) && rec.Active() {
			plan.Progression = rec.End(release.ProgressionPromoted, "promoted by hand")
		}
		return plan, err
	})
}

// Verb is "abort".
func (Abort) Verb() string { return "abort" }

// Needs is the route the release runs through, if any.
func (Abort) Needs() plans.Needs {
	return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}, StatefulSet: true}
}

// Plan plans abort from s. A progression under way ends rolled back, by
// this command, in the release's record, even when its canary is gone
// already.
func (Abort) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) {
		plan, err := workloadOf(s).abort()
		if rec := s.Progression; err == nil && canaryProgression(rec) && rec.Active() {
			plan.Progression = rec.End(release.ProgressionRolledBack, "aborted")
		}
		return plan, err
	})
}

// canaryProgression says whether rec is a canary's progression, not a
// blue-green switch's or verification.
func canaryProgression(rec *release.Progression) bool {
	return rec != nil && rec.Color == ""
}

// Verb is "bluegreen".
func (BlueGreen) Verb() string { return "bluegreen" }

// Needs is the nodes, to weigh the capacity.
func (BlueGreen) Needs() plans.Needs { return plans.Needs{Capacity: true, StatefulSet: true} }

// Plan plans bluegreen from s.
func (p BlueGreen) Plan(s *plans.Snapshot) (plans.Plan, error) {
	if sts := s.StatefulSet; sts != nil {
		return plans.Plan{}, fmt.Errorf("statefulset %s cannot be released blue-green: a green copy would run a second set of pods on its own or the same data beside the first; use 'kubectl ship canary %s --image IMAGE', which moves its highest ordinals in place", sts.Name, sts.Name)
	}
	return adopted(s, func() (plans.Plan, error) { return planBlueGreen(s.Release, p.Request, s.Nodes) })
}

// Verb is "bluegreen-switch".
func (Switch) Verb() string { return "bluegreen-switch" }

// Needs is the route it may switch.
func (p Switch) Needs() plans.Needs { return plans.Needs{Routes: p.Route.Needs()} }

// Plan plans bluegreen-switch from s: of the Services' selectors, or of
// the HTTPRoute that sends them traffic; step by step, or verified, from
// where the release's record says it stands.
func (p Switch) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) {
		if s.Release.Green != nil {
			to, err := switchTarget(s.Release, p.To)
			if err == nil {
				err = verificationFailed(s, to, p.Force)
			}
			if err != nil {
				return plans.Plan{}, err
			}
		}
		if len(p.Steps) > 0 || p.VerifyFor > 0 {
			return planSwitchProgression(s, p)
		}
		plan, err := p.switchTo(s.Release, 100)
		if rec := s.Progression; err == nil && rec.Active() && rec.Color != "" && plan.Writes() {
			// A switch or verification under way ends: the other way,
			// rolled back; the same way, by hand.
			to, _ := switchTarget(s.Release, p.To)
			if to == rec.Color {
				plan.Progression = rec.End(release.ProgressionComplete, "switched by hand")
			} else {
				plan.Progression = rec.End(release.ProgressionRolledBack, "switched back by hand")
			}
		}
		return plan, err
	})
}

// switchTo plans the switch to p.To, green taking weight percent of the
// HTTPRoute's traffic (100: all of it); without a route, the Services'
// selectors switch, all at once.
func (p Switch) switchTo(rel *release.Release, weight int32) (plans.Plan, error) {
	if rel.Green != nil {
		route, svc, err := switchRoute(rel, p.Route)
		if err != nil {
			return plans.Plan{}, err
		}
		if route != nil {
			return planRoutedSwitch(rel, route, svc, p, weight)
		}
	}
	if weight < 100 {
		return plans.Plan{}, fmt.Errorf("--steps: release %s switches through the selectors of its Services, all at once: shifting its traffic step by step needs an HTTPRoute that sends traffic to them (or --route httproute/NAME)", rel.Stable.Name)
	}
	return planSwitch(rel, p.To, p.Force, p.ScaleDownDelay)
}

// Verb is "bluegreen cleanup".
func (Cleanup) Verb() string { return "bluegreen cleanup" }

// Needs is the route the release runs through, if any.
func (Cleanup) Needs() plans.Needs { return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}} }

// Plan plans bluegreen cleanup from s.
func (p Cleanup) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) { return planCleanup(s.Release, p.Delete) })
}

// Verb is "scale".
func (Scale) Verb() string { return "scale" }

// Needs is the autoscalers, which a scale would fight.
func (Scale) Needs() plans.Needs { return plans.Needs{Autoscalers: true} }

// Plan plans scale from s.
func (p Scale) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) { return planScale(s.Release, p.Request) })
}

// Verb is "set image".
func (SetImage) Verb() string { return "set image" }

// Needs is the release alone.
func (SetImage) Needs() plans.Needs { return plans.Needs{} }

// Plan plans set image from s.
func (p SetImage) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return adopted(s, func() (plans.Plan, error) { return planSetImage(s.Release, p.Images) })
}

// adopted plans with plan unless the release has a canary or green made by
// hand, not adopted yet (a StatefulSet has neither).
func adopted(s *plans.Snapshot, plan func() (plans.Plan, error)) (plans.Plan, error) {
	if s.Release != nil {
		if err := adoptFirst(s.Release); err != nil {
			return plans.Plan{}, err
		}
	}
	return plan()
}

// RecoverNeeds is the route the switch went through: the one named, or the
// one green's Service records (none is looked for: a switch that found one
// recorded it).
func (p Switch) RecoverNeeds() plans.Needs {
	return plans.Needs{Routes: plans.RouteNeeds{Named: p.Route.Needs().Named, Recorded: !p.Route.None}}
}

// Recover switches back to the color that served before when the gates
// failed while the switch was verified; the old color still runs.
func (p Switch) Recover(s *plans.Snapshot, failure plans.Failure) (plans.Plan, error) {
	if !failure.Gate {
		return plans.Plan{}, nil
	}
	to, err := switchTarget(s.Release, p.To)
	if err != nil {
		return plans.Plan{}, err
	}
	back := Switch{To: to.Other(), Force: true, Route: p.Route}
	plan, err := back.Plan(s)
	if rec := s.Progression; rec.Active() && rec.Color == to {
		rolledBack := *rec
		rolledBack.Phase, rolledBack.Reason = release.ProgressionRolledBack, failure.Err.Error()
		if d := s.Release.Deployment(to); d != nil {
			rolledBack.Generation = d.Generation
		}
		plan.Progression = &rolledBack
	}
	return plan, err
}

// RecoverNeeds is nothing beyond the release.
func (BlueGreen) RecoverNeeds() plans.Needs { return plans.Needs{} }

// Recover leaves a new color that failed its verification as it is (the
// serving color was never switched from), and records the failure, so that
// no switch goes to it until it is brought up again (or --force).
func (BlueGreen) Recover(s *plans.Snapshot, failure plans.Failure) (plans.Plan, error) {
	rec := s.Progression
	if !failure.Gate || !rec.Active() || !rec.Verify {
		return plans.Plan{}, nil
	}
	failed := *rec
	failed.Phase, failed.Reason = release.ProgressionRolledBack, failure.Err.Error()
	if d := s.Release.Deployment(rec.Color); d != nil {
		failed.Generation = d.Generation
	}
	return plans.Plan{Progression: &failed}, nil
}

// RecoverNeeds is the revisions, to find the previous one.
func (SetImage) RecoverNeeds() plans.Needs { return plans.Needs{Revisions: true} }

// Recover rolls the stable Deployment back to its previous revision when
// its rollout to p.Images really failed: past its progress deadline, or
// past --timeout. Anything else (nobody asked, or someone changed the
// Deployment since) leaves the rollout as it is.
func (p SetImage) Recover(s *plans.Snapshot, failure plans.Failure) (plans.Plan, error) {
	if !p.UndoOnFailure || !rolloutFailed(s.Release.Stable, p.Images, failure.TimedOut) {
		return plans.Plan{}, nil
	}
	return planRollback(s.Release.Stable, s.ReplicaSets)
}
