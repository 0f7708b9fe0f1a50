// Package strategy holds the pure planners of kubectl-ship: from a snapshot of
// a release and what the user asked for, they decide which objects to create,
// patch or delete, what to wait for, and why. An empty plan means the release
// is already where it was asked to be. Planners make no API calls. What a
// route is and does (finding it, the track Services, the canary Ingress, the
// way back) is below them, in pkg/strategy/route.
package strategy

import (
	"fmt"

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

// Cleanup scales the idle color to zero, or deletes green.
type Cleanup struct{ Delete bool }

// Scale resizes a release as a whole.
type Scale struct{ Request ScaleRequest }

// Verb is "canary".
func (Canary) Verb() string { return "canary" }

// Needs is the autoscalers, to warn of them, and the routes it may run
// through.
func (p Canary) Needs() plans.Needs {
	return plans.Needs{Autoscalers: true, Routes: p.Request.Route.Needs(), StatefulSet: true, DaemonSet: true, NodeSelector: p.Request.Nodes.Selector}
}

// Plan plans canary from s. Like every verb that changes a release, it
// refuses one whose canary or green was made by hand until it is adopted.
func (p Canary) Plan(s *plans.Snapshot) (plans.Plan, error) {
	if p.Request.Nodes.Set() && s.DaemonSet == nil {
		return plans.Plan{}, fmt.Errorf("--nodes and --node-selector choose the nodes of a DaemonSet's canary, and %s is not a DaemonSet: give --weight or --replicas", workloadOf(s).name())
	}
	return planIfAdopted(s, func() (plans.Plan, error) {
		if p.Progression != nil {
			if n := p.Request.Nodes; n.Count > 0 || n.Percent > 0 {
				return plans.Plan{}, fmt.Errorf("give --steps or --nodes, not both: each step of --steps is the canary's number of nodes (N) or share of them (P%%)")
			}
			return planProgression(s, p.Request, *p.Progression)
		}
		return workloadOf(s).canary(p.Request)
	})
}

// Verb is "promote".
func (Promote) Verb() string { return "promote" }

// Needs is the route the release runs through, if any.
func (Promote) Needs() plans.Needs {
	return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}, StatefulSet: true, DaemonSet: true}
}

// Plan plans promote from s. A progression under way ends promoted, by
// this command, in the release's record.
func (Promote) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) {
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
	return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}, StatefulSet: true, DaemonSet: true}
}

// Plan plans abort from s. A progression under way ends rolled back, by
// this command, in the release's record, even when its canary is gone
// already.
func (Abort) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) {
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
func (BlueGreen) Needs() plans.Needs {
	return plans.Needs{Capacity: true, StatefulSet: true, DaemonSet: true}
}

// Plan plans bluegreen from s.
func (p BlueGreen) Plan(s *plans.Snapshot) (plans.Plan, error) {
	if sts := s.StatefulSet; sts != nil {
		return plans.Plan{}, fmt.Errorf("statefulset %s cannot be released blue-green: a green copy would run a second set of pods on its own or the same data beside the first; use 'kubectl ship canary %s --image IMAGE', which moves its highest ordinals in place", sts.Name, sts.Name)
	}
	if ds := s.DaemonSet; ds != nil {
		return plans.Plan{}, fmt.Errorf("daemonset %s cannot be released blue-green: a DaemonSet runs one pod per node, so a green copy would run a second pod on every node beside the first (twice the agents, both acting on the node); use 'kubectl ship canary %s --image IMAGE --nodes N', which replaces the pods of the chosen nodes in place", ds.Name, ds.Name)
	}
	return planIfAdopted(s, func() (plans.Plan, error) { return planBlueGreen(s.Release, p.Request, s.Nodes) })
}

// Verb is "bluegreen cleanup".
func (Cleanup) Verb() string { return "bluegreen cleanup" }

// Needs is the route the release runs through, if any.
func (Cleanup) Needs() plans.Needs { return plans.Needs{Routes: plans.RouteNeeds{Recorded: true}} }

// Plan plans bluegreen cleanup from s.
func (p Cleanup) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) { return planCleanup(s.Release, p.Delete) })
}

// Verb is "scale".
func (Scale) Verb() string { return "scale" }

// Needs is the autoscalers, which a scale would fight.
func (Scale) Needs() plans.Needs { return plans.Needs{Autoscalers: true} }

// Plan plans scale from s.
func (p Scale) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) { return planScale(s.Release, p.Request) })
}

// planIfAdopted plans with plan unless the release has a canary or green made by
// hand, not adopted yet (a StatefulSet has neither).
func planIfAdopted(s *plans.Snapshot, plan func() (plans.Plan, error)) (plans.Plan, error) {
	if s.Release != nil {
		if err := adoptFirst(s.Release); err != nil {
			return plans.Plan{}, err
		}
	}
	return plan()
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
