package strategy

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planSwitch plans pointing every Service of rel at color to, all at once,
// then waiting until their EndpointSlices list only that color's pods. With
// no color given it goes to the one the last bluegreen brought up (the idle
// one when that is not recorded): a fixed target, so running the command
// again after an interruption converges instead of switching back. It
// refuses a color that is not fully available unless force is set. With a
// scaleDownDelay the plan then stays that long, holding the release, and
// scales the color that stopped serving to zero.
func planSwitch(rel *release.Release, to release.Color, force bool, scaleDownDelay time.Duration) (plans.Plan, error) {
	name := rel.Stable.Name
	if rel.Green == nil {
		return plans.Plan{}, fmt.Errorf("release %s has no green deployment: start a blue-green release with 'kubectl ship bluegreen %s --image IMAGE'", name, name)
	}
	key := rel.ColorKey()
	to, err := switchTarget(rel, to)
	if err != nil {
		return plans.Plan{}, err
	}
	target := rel.Deployment(to)
	value := target.Spec.Template.Labels[key]
	var plan plans.Plan
	for _, svc := range rel.Services {
		next := svc.DeepCopy()
		next.Spec.Selector[key] = value
		step, err := plans.PatchStep(svc, next, corev1.Service{}, "switched to "+string(to), fmt.Sprintf("route to %s's pods (%s=%s)", to, key, value))
		if err != nil {
			return plans.Plan{}, err
		}
		if step != nil {
			plan.Steps = append(plan.Steps, *step, plans.WaitFor(next, plans.EndpointsSelected, "wait until the endpoints list only "+string(to)+"'s pods"))
		}
	}
	if len(plan.Steps) == 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("service %s already routes to %s: nothing to switch", rel.ServiceNames(), to))
		return plan, nil
	}
	plan.Notes = append(plan.Notes, fewerPods(rel, to)...)
	if scaleDownDelay > 0 {
		old := rel.Deployment(to.Other())
		plan.Notes = append(plan.Notes, fmt.Sprintf("after the switch, %s (deployment %s) keeps running for %s, then is scaled to zero; Ctrl-C, or any kubectl ship command on the release, keeps it running",
			to.Other(), old.Name, scaleDownDelay))
		plan.Steps = append(plan.Steps, plans.Step{Action: plans.Stay, Duration: scaleDownDelay, Reason: fmt.Sprintf("keep %s running for %s, to switch back", to.Other(), scaleDownDelay)})
		if step, err := scaleDown(old, to.Other()); err != nil || step != nil {
			if err != nil {
				return plans.Plan{}, err
			}
			plan.Steps = append(plan.Steps, *step)
		}
	}
	if err := checkReady(target, to); err != nil {
		switch {
		case release.Replicas(target) == 0:
			// Not even --force: the Services would have no endpoints at all.
			return plans.Plan{}, fmt.Errorf("%w: bring it up first ('kubectl ship bluegreen %s --image IMAGE', or scale it)", err, name)
		case force:
		default:
			return plans.Plan{}, fmt.Errorf("%w: wait for it ('kubectl rollout status deployment/%s') or pass --force", err, target.Name)
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("warning: --force: %v; switching anyway, so its clients may get errors", err))
	}
	return plan, nil
}

// fewerPods warns, before a switch to color to, that it runs fewer pods
// than the color serving now: they would take all of its traffic.
func fewerPods(rel *release.Release, to release.Color) []string {
	target, other := rel.Deployment(to), rel.Deployment(to.Other())
	if n, serving := release.Replicas(target), release.Replicas(other); n > 0 && n < serving {
		return []string{fmt.Sprintf("warning: %s (deployment %s) runs %d %s, and %s serves with %d: after the switch, what %d pods serve goes to %d; scale it first ('kubectl scale deployment/%s --replicas %d')",
			to, target.Name, n, release.Plural(n, "pod"), to.Other(), serving, serving, n, target.Name, serving)}
	}
	return nil
}

// switchTarget is the color a switch goes to: to, else the one the last
// bluegreen brought up, else the idle one.
func switchTarget(rel *release.Release, to release.Color) (release.Color, error) {
	if to == "" {
		to = rel.NewColor()
	}
	if to != "" {
		return to, nil
	}
	serving, err := rel.Serving(rel.ColorKey())
	return serving.Other(), err
}

// scaleDown scales the Deployment of color c to zero, or returns nil when
// it has no pods.
func scaleDown(d *appsv1.Deployment, c release.Color) (*plans.Step, error) {
	if release.Replicas(d) == 0 {
		return nil, nil
	}
	next := d.DeepCopy()
	next.Spec.Replicas = new(int32)
	return plans.PatchStep(d, next, appsv1.Deployment{}, "scaled", fmt.Sprintf("%s is idle", c))
}

// checkReady checks that every desired pod of d runs its current template and is
// available, and that there is at least one.
func checkReady(d *appsv1.Deployment, c release.Color) error {
	msg, done, err := release.RolloutStatus(d)
	switch {
	case err != nil:
		return fmt.Errorf("%s is not ready: %v", c, err)
	case !done:
		return fmt.Errorf("%s is not ready: %s", c, msg)
	case release.Replicas(d) == 0:
		return fmt.Errorf("%s is not ready: deployment %s has 0 replicas", c, d.Name)
	}
	return nil
}

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
	Route          route.Choice
}

// Verb is "bluegreen-switch".
func (Switch) Verb() string { return "bluegreen-switch" }

// Needs is the route it may switch.
func (p Switch) Needs() plans.Needs { return plans.Needs{Routes: p.Route.Needs()} }

// Plan plans bluegreen-switch from s: of the Services' selectors, or of
// the HTTPRoute that sends them traffic; step by step, or verified, from
// where the release's record says it stands.
func (p Switch) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) {
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
		http, svc, err := route.ForSwitch(rel, p.Route)
		if err != nil {
			return plans.Plan{}, err
		}
		if http != nil {
			return planRoutedSwitch(rel, http, svc, p, weight)
		}
	}
	if weight < 100 {
		return plans.Plan{}, fmt.Errorf("--steps: release %s switches through the selectors of its Services, all at once: shifting its traffic step by step needs an HTTPRoute that sends traffic to them (or --route httproute/NAME)", rel.Stable.Name)
	}
	return planSwitch(rel, p.To, p.Force, p.ScaleDownDelay)
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
