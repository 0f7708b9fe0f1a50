package strategy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// ProgressStep is one step of canary --steps: a weight, or a pause. For a
// DaemonSet, Weight is a number of nodes, or with Percent a percentage of
// them (as --nodes reads); elsewhere it is a percentage either way.
type ProgressStep struct {
	Weight  int32
	Percent bool
	Pause   bool
}

func (s ProgressStep) String() string {
	switch {
	case s.Pause:
		return "pause"
	case s.Percent:
		return strconv.Itoa(int(s.Weight)) + "%"
	}
	return strconv.Itoa(int(s.Weight))
}

// ParseSteps reads --steps: comma-separated weights in percent, from 1 to
// 99 and each above the one before, with "pause" after a weight where the
// progression is to wait for a person. A weight may end in %: for a
// DaemonSet, N is a number of nodes and P% a percentage of them (its
// planner then checks that each step has more nodes than the one before).
// Its errors name no flag.
func ParseSteps(s string) ([]ProgressStep, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("no steps given: list the weights, e.g. 10,25,50")
	}
	var steps []ProgressStep
	last := int32(0)
	quoted := quoteBounded(s)
	for i, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "pause" {
			switch {
			case i == 0:
				return nil, fmt.Errorf("%s starts with pause: give the first weight before it", quoted)
			case steps[i-1].Pause:
				return nil, fmt.Errorf("%s has two pauses in a row", quoted)
			}
			steps = append(steps, ProgressStep{Pause: true})
			continue
		}
		number, percent := strings.CutSuffix(f, "%")
		n, err := strconv.ParseInt(number, 10, 32)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %s is neither a weight in percent nor pause", quoted, quoteBounded(f))
		case n < 1 || n > 99:
			return nil, fmt.Errorf("%s: weight %d is not between 1 and 99 percent (step %d)", quoted, n, i+1)
		case int32(n) <= last:
			return nil, fmt.Errorf("%s: the weights must increase, and %d comes after %d (step %d)", quoted, n, last, i+1)
		}
		last = int32(n)
		steps = append(steps, ProgressStep{Weight: int32(n), Percent: percent})
	}
	return steps, nil
}

// quoteBounded quotes a value for an error, at most its first 40 bytes:
// a long list need not be echoed whole to say what is wrong with it.
func quoteBounded(s string) string {
	if len(s) <= 40 {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.ToValidUTF8(s[:40], "")) + "..."
}

// Progression is canary --steps: the weights a canary advances through by
// itself, each held for Interval while the gates are checked, then promoted
// unless NoPromote.
type Progression struct {
	Steps     []ProgressStep
	Interval  time.Duration
	NoPromote bool
	// Resume is kept in the record, for a process that did not start the
	// progression to carry it on.
	Resume *release.Resume
}

// schedule describes a whole progression before it starts: each step's
// weight and canary pods (as that step's plan sizes the canary: a share of
// the pods, or through a route enough to carry its weight), its hold, and
// the end.
func schedule(w workload, req CanaryRequest, prog Progression) string {
	parts := make([]string, len(prog.Steps))
	for i, st := range prog.Steps {
		if st.Pause {
			parts[i] = fmt.Sprintf("%d pause", i+1)
			continue
		}
		plan, _ := w.canary(w.at(req, st)) // each step was planned once already
		pods := w.canaryPods(plan)
		parts[i] = fmt.Sprintf("%d %s (%d canary %s) held %s", i+1, w.label(st), pods, release.Plural(pods, "pod"), prog.Interval)
	}
	end := "then promote"
	if prog.NoPromote {
		end = "then stay at the last step until 'kubectl ship promote " + w.name() + "'"
	}
	return "progression: " + strings.Join(parts, "; ") + "; " + end
}

// canaryReplicas is the canary's size as plan leaves it.
func canaryReplicas(rel *release.Release, plan plans.Plan) int32 {
	for _, s := range plan.Steps {
		if d, ok := s.Object.(*appsv1.Deployment); ok && s.Writes() && (d.Name == release.CanaryName(rel.Stable.Name) || rel.Canary != nil && d.Name == rel.Canary.Name) {
			return release.Replicas(d)
		}
	}
	if rel.Canary != nil {
		return release.Replicas(rel.Canary)
	}
	return 0
}

// atWeight is req at a step's weight: exact through a route, a share of
// the pods otherwise.
func atWeight(req CanaryRequest, st ProgressStep) CanaryRequest {
	req.Weight, req.WeightSet, req.Replicas = st.Weight, true, 0
	return req
}

// imageValues are the images as given, [CONTAINER=]IMAGE.
func imageValues(images []Image) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i] = img.Image
		if img.Container != "" {
			out[i] = img.Container + "=" + img.Image
		}
	}
	return out
}

// RecoverNeeds is what abort reads: the route the canary runs through, as
// its Services record it; and the release even when someone made its
// Service select nothing.
func (Canary) RecoverNeeds() plans.Needs {
	needs := Abort{}.Needs()
	needs.Unserved = true
	return needs
}

// Recover aborts a progression whose gates failed: exactly what 'kubectl
// ship abort' does (the canary goes, the Services are restored, the stable
// Deployment is untouched; a StatefulSet's template and partition are put
// back), recording why. Anything else stands.
func (p Canary) Recover(s *plans.Snapshot, failure plans.Failure) (plans.Plan, error) {
	if p.Progression == nil || !failure.Gate {
		return plans.Plan{}, nil
	}
	plan, err := workloadOf(s).abort()
	rolledBack := p.Progression.progressionAt(p.Request, s, 0, release.ProgressionRolledBack)
	if rec := s.Progression; rec.Same(rolledBack.Images, rolledBack.Steps) {
		rolledBack.Step, rolledBack.Gates, rolledBack.Failures = rec.Step, rec.Gates, rec.Failures
	}
	rolledBack.Reason = failure.Err.Error()
	plan.Progression = rolledBack
	return plan, err
}

// progressionAt is the progression as its record keeps it at step, in phase.
// A DaemonSet's steps count its nodes.
func (prog Progression) progressionAt(req CanaryRequest, s *plans.Snapshot, step int, phase release.ProgressionPhase) *release.Progression {
	steps := make([]string, len(prog.Steps))
	for i, st := range prog.Steps {
		steps[i] = st.String()
	}
	return &release.Progression{Images: imageValues(req.Images), Steps: steps, Step: step, Phase: phase,
		Interval: metav1.Duration{Duration: prog.Interval}, Resume: prog.Resume, Nodes: s.DaemonSet != nil}
}
