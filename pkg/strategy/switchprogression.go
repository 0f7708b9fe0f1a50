package strategy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planSwitchProgression plans a switch that shifts an HTTPRoute's traffic
// to green step by step (--steps), or is verified (--verify-for), or both:
// green's share at each step, held for the interval while the gates are
// checked, then all of the traffic, held for --verify-for. The release's
// record keeps the step reached, so that running the command again after
// an interruption resumes there (its hold starts over); a failed check
// switches back (Recover).
func planSwitchProgression(s *Snapshot, p Switch) (Plan, error) {
	rel := s.Release
	if rel.Green == nil {
		return p.switchTo(rel, 100) // refused: no green
	}
	to, err := switchTarget(rel, p.To)
	if err != nil {
		return Plan{}, err
	}
	if len(p.Steps) > 0 && to != release.Green {
		return Plan{}, fmt.Errorf("--steps shifts traffic to green, and release %s would switch to %s: switch back at once, without --steps", rel.Stable.Name, to)
	}
	p.To = to
	shares := append(slices.Clone(p.Steps), 100)
	record := func(step int, phase release.ProgressionPhase) *release.Progression {
		return p.record(rel, shares, step, phase)
	}
	rec, mine := s.Progression, record(0, "")
	next := 0
	switch {
	case !rec.Same(mine.Images, mine.Steps) || rec.Color != to:
	case rec.Active():
		next = rec.Step
		if rec.Held {
			next++
		}
	case rec.Phase == release.ProgressionComplete:
		// Held to the end: unless the traffic moved since, nothing to do.
		if plan, err := p.switchTo(rel, 100); err != nil || !plan.Writes() {
			return plan, err
		}
	}
	if next == len(shares) {
		// Interrupted after the last hold: only its record is left to write.
		done := record(next-1, release.ProgressionComplete)
		done.Held = true
		return Plan{Progression: done, Notes: []string{fmt.Sprintf("the switch of release %s to %s had been held to the end: recording it", rel.Stable.Name, to)}}, nil
	}
	plan, err := p.switchTo(rel, shares[next])
	if err != nil {
		return Plan{}, err
	}
	if next == 0 {
		plan.Notes = append([]string{p.schedule(to)}, plan.Notes...)
	}
	last := next == len(shares)-1
	if hold := p.hold(last); hold > 0 {
		plan.Steps = beforeStays(plan.Steps, Step{Action: Hold, Object: rel.Deployment(to), Duration: hold, Progression: record(next, release.ProgressionRunning),
			Reason: fmt.Sprintf("hold step %d of %d (%d%% to %s) for %s while the gates are checked", next+1, len(shares), shares[next], to, hold)})
	}
	if !last {
		plan.Continue = true
		return plan, nil
	}
	plan.Progression = record(next, release.ProgressionComplete)
	plan.Progression.Held = true
	return plan, nil
}

// hold is how long a step holds: the interval, or at the last step (all of
// the traffic) --verify-for.
func (p Switch) hold(last bool) time.Duration {
	if last {
		return p.VerifyFor
	}
	return p.Interval
}

// schedule describes a switch's steps before it starts.
func (p Switch) schedule(to release.Color) string {
	var parts []string
	for i, w := range p.Steps {
		parts = append(parts, fmt.Sprintf("%d %d%% held %s", i+1, w, p.Interval))
	}
	end := fmt.Sprintf("%d all of the traffic", len(p.Steps)+1)
	if p.VerifyFor > 0 {
		end += " held " + p.VerifyFor.String()
	}
	return fmt.Sprintf("switch to %s: %s", to, strings.Join(append(parts, end), "; "))
}

// record is the switch's record at step, in phase: its steps are green's
// shares, its images those of the color it goes to.
func (p Switch) record(rel *release.Release, shares []int32, step int, phase release.ProgressionPhase) *release.Progression {
	steps := make([]string, len(shares))
	for i, w := range shares {
		steps[i] = strconv.Itoa(int(w))
	}
	var images []string
	spec := rel.Deployment(p.To).Spec.Template.Spec
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		images = append(images, c.Name+"="+c.Image)
	}
	return &release.Progression{Images: images, Steps: steps, Color: p.To, Step: step, Phase: phase, Interval: metav1.Duration{Duration: p.hold(step == len(shares)-1)}}
}

// beforeStays inserts hold before the plan's first Stay: the switch is
// verified before the color that stopped serving is scaled down.
func beforeStays(steps []Step, hold Step) []Step {
	i := slices.IndexFunc(steps, func(s Step) bool { return s.Action == Stay })
	if i < 0 {
		i = len(steps)
	}
	return slices.Insert(steps, i, hold)
}
