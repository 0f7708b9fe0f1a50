package strategy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planSwitchProgression plans a switch that shifts an HTTPRoute's traffic
// to green step by step (--steps), or is verified (--verify-for), or both:
// green's share at each step, held for the interval while the gates are
// checked, then all of the traffic, held for --verify-for. The release's
// record keeps the step reached, so that running the command again after
// an interruption resumes there (its hold starts over); a failed check
// switches back (Recover).
func planSwitchProgression(s *plans.Snapshot, p Switch) (plans.Plan, error) {
	rel := s.Release
	if rel.Green == nil {
		return p.switchTo(rel, 100) // refused: no green
	}
	to, err := switchTarget(rel, p.To)
	if err != nil {
		return plans.Plan{}, err
	}
	if len(p.Steps) > 0 && to != release.Green {
		return plans.Plan{}, fmt.Errorf("--steps shifts traffic to green, and release %s would switch to %s: switch back at once, without --steps", rel.Stable.Name, to)
	}
	p.To = to
	shares := append(slices.Clone(p.Steps), 100)
	record := func(step int, phase release.ProgressionPhase) *release.Progression {
		return p.progressionAt(rel, shares, step, phase)
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
		return plans.Plan{Progression: done, Notes: []string{fmt.Sprintf("the switch of release %s to %s had been held to the end: recording it", rel.Stable.Name, to)}}, nil
	}
	plan, err := p.switchTo(rel, shares[next])
	if err != nil && next > 0 && rec.Active() {
		return plans.Plan{}, &plans.StepRefusedError{Err: err}
	}
	if err != nil {
		return plans.Plan{}, err
	}
	return p.holdStep(plan, rel, to, shares, next, record), nil
}

// holdStep finishes the plan of step next, green's share shares[next]: the
// schedule said at the first step, the step held (before any stay) while the
// gates are checked, and at the last the progression recorded complete.
func (p Switch) holdStep(plan plans.Plan, rel *release.Release, to release.Color, shares []int32, next int,
	record func(step int, phase release.ProgressionPhase) *release.Progression) plans.Plan {
	if next == 0 {
		plan.Notes = append([]string{p.schedule(to)}, plan.Notes...)
	}
	last := next == len(shares)-1
	if hold := p.hold(last); hold > 0 {
		plan.Steps = beforeStays(plan.Steps, plans.Step{Action: plans.Hold, Object: rel.Deployment(to), Duration: hold, Progression: record(next, release.ProgressionRunning),
			Reason: fmt.Sprintf("hold step %d of %d (%d%% to %s) for %s while the gates are checked", next+1, len(shares), shares[next], to, hold)})
	}
	if !last {
		plan.Continue = true
		return plan
	}
	plan.Progression = record(next, release.ProgressionComplete)
	plan.Progression.Held = true
	return plan
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

// progressionAt is the switch's progression at step, in phase: its steps
// are green's shares, its images those of the color it goes to.
func (p Switch) progressionAt(rel *release.Release, shares []int32, step int, phase release.ProgressionPhase) *release.Progression {
	steps := make([]string, len(shares))
	for i, w := range shares {
		steps[i] = strconv.Itoa(int(w))
	}
	return &release.Progression{Images: colorImages(rel.Deployment(p.To)), Steps: steps, Color: p.To, Step: step, Phase: phase, Interval: metav1.Duration{Duration: p.hold(step == len(shares)-1)}}
}

// beforeStays inserts hold before the plan's first Stay: the switch is
// verified before the color that stopped serving is scaled down.
func beforeStays(steps []plans.Step, hold plans.Step) []plans.Step {
	i := slices.IndexFunc(steps, func(s plans.Step) bool { return s.Action == plans.Stay })
	if i < 0 {
		i = len(steps)
	}
	return slices.Insert(steps, i, hold)
}

// colorImages are the images a color's record keeps: NAME=IMAGE of each
// container, init containers first.
func colorImages(d *appsv1.Deployment) []string {
	var images []string
	spec := d.Spec.Template.Spec
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		images = append(images, c.Name+"="+c.Image)
	}
	return images
}

// verificationFailed refuses a switch to color to when the release's record
// says its verification, or a switch to it, failed and was rolled back, and
// its Deployment has not changed since: what the gates turned down is not
// switched to unless force says so.
func verificationFailed(s *plans.Snapshot, to release.Color, force bool) error {
	rec, d := s.Progression, s.Release.Deployment(to)
	if force || d == nil || rec == nil || rec.Color != to {
		return nil
	}
	if rec.Verify && rec.Active() {
		return fmt.Errorf("%s (deployment %s) has not passed its verification: it was started and has not ended ('%s' shows it); run it again ('kubectl ship bluegreen %s --image IMAGE --verify-for DURATION'), or pass --force to switch anyway",
			to, d.Name, "kubectl ship status "+s.Release.Stable.Name, s.Release.Stable.Name)
	}
	if rec.Phase != release.ProgressionRolledBack || rec.Generation != d.Generation || !slices.Equal(rec.Images, colorImages(d)) {
		return nil
	}
	what := "its verification"
	if !rec.Verify {
		what = "the switch to it"
	}
	return fmt.Errorf("%s (deployment %s, %s) failed %s: %s; bring it up again and verify it ('kubectl ship bluegreen %s --image IMAGE --verify-for DURATION'), or pass --force to switch anyway",
		to, d.Name, strings.Join(rec.Images, ", "), what, rec.Reason, s.Release.Stable.Name)
}
