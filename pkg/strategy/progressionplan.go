package strategy

import (
	"fmt"
	"strings"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planProgression plans the next segment of a progression from where the
// release's record says it stands: the canary at the next weight, waited
// for, then held; at a pause nothing but the record; after the last step,
// the promotion. Run again after an interruption, it resumes at the step
// recorded, whose hold starts over. The workload is a Deployment's release
// or a StatefulSet: each step is its own canary's plan.
func planProgression(s *plans.Snapshot, req CanaryRequest, prog Progression) (plans.Plan, error) {
	w := workloadOf(s)
	pp := progressionPlan{s: s, req: req, prog: prog, w: w, rec: s.Progression, name: w.name()}
	images, steps := pp.record(0, "").Images, pp.record(0, "").Steps
	pp.mine, pp.steps = pp.rec.Same(images, steps), len(steps)
	if plan, done, err := pp.settled(); done {
		return plan, err
	}
	next, plan, err := pp.pastPauses()
	if plan != nil || err != nil {
		return *plan, err
	}
	if next == len(prog.Steps) {
		return pp.finish()
	}
	return pp.step(next)
}

// progressionPlan is what planProgression plans from: the request, the
// workload, the release's record and whether it is of this progression.
type progressionPlan struct {
	s     *plans.Snapshot
	req   CanaryRequest
	prog  Progression
	w     workload
	rec   *release.Progression
	name  string
	mine  bool
	steps int
}

// record is the progression's record at step in phase.
func (pp *progressionPlan) record(step int, phase release.ProgressionPhase) *release.Progression {
	return pp.prog.progressionAt(pp.req, pp.s, step, phase)
}

// settled plans, with done, a release whose record leaves nothing to run:
// another progression under way, this one promoted, or its promotion
// interrupted after its last write.
func (pp *progressionPlan) settled() (plan plans.Plan, done bool, err error) {
	w, rec, name := pp.w, pp.rec, pp.name
	switch {
	case rec.Active() && w.running() && !pp.mine && !pp.req.Replace:
		return plans.Plan{}, true, fmt.Errorf("release %s has another progression under way (%s through %s, at step %d of %d): pass --replace to start this one instead, or end it with 'kubectl ship abort %s'",
			name, strings.Join(rec.Images, ", "), strings.Join(rec.Steps, ","), rec.Step+1, len(rec.Steps), name)
	case pp.mine && !w.running() && rec.Phase == release.ProgressionPromoted:
		return plans.Plan{}, true, plans.NothingLeft(fmt.Sprintf("the progression of release %s was promoted", name))
	case pp.mine && !w.running() && rec.Active() && w.promoted(pp.req.Images):
		// Interrupted after the promotion's last write: only its record
		// is left to write.
		done := pp.record(pp.steps-1, release.ProgressionPromoted)
		done.Held = true
		return plans.Plan{Progression: done, Notes: []string{fmt.Sprintf("the progression of release %s had been promoted: recording it", name)}}, true, nil
	}
	return plans.Plan{}, false, nil
}

// pastPauses is the step to run next, past the pauses approved; at a
// pause not approved, the plan that awaits it, or the rejection's.
func (pp *progressionPlan) pastPauses() (int, *plans.Plan, error) {
	w, rec, prog := pp.w, pp.rec, pp.prog
	next := 0
	if pp.mine && w.running() && rec.Active() {
		next = rec.Step
		if rec.Held {
			next++
		}
	}
	for next < len(prog.Steps) && prog.Steps[next].Pause {
		if !pp.mine || rec.Phase != release.ProgressionPaused || rec.Step != next {
			plan := awaitApproval(w, pp.record(next, release.ProgressionPaused), w.label(prog.Steps[next-1]))
			return next, &plan, nil
		}
		switch v := rec.Verdict(); {
		case v == nil: // run again at the pause: await it again
			plan := awaitApproval(w, rec, w.label(prog.Steps[next-1]))
			return next, &plan, nil
		case v.Verdict == release.VerdictRejected:
			plan, err := planRejected(w, rec, *v)
			return next, &plan, err
		}
		next++
	}
	return next, nil, nil
}

// finish plans the end of a progression whose every step held: the
// promotion, or with --no-promote the record that it is complete.
func (pp *progressionPlan) finish() (plans.Plan, error) {
	w, prog := pp.w, pp.prog
	last := prog.Steps[len(prog.Steps)-1]
	if last.Pause {
		last = prog.Steps[len(prog.Steps)-2]
	}
	if prog.NoPromote {
		if pp.mine && pp.rec.Phase == release.ProgressionComplete {
			return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("the progression of release %s is complete", pp.name))
		}
		done := pp.record(pp.steps-1, release.ProgressionComplete)
		done.Held = true
		return plans.Plan{Progression: done, Notes: []string{fmt.Sprintf(
			"every step held: the canary stays at %s; 'kubectl ship promote %s' finishes the release", w.label(last), pp.name)}}, nil
	}
	plan, err := w.promote()
	plan.Progression = pp.record(pp.steps-1, release.ProgressionPromoted)
	plan.Progression.Held = true
	return plan, err
}

// step plans step next: its canary, waited for, then held while the gates
// are checked.
func (pp *progressionPlan) step(next int) (plans.Plan, error) {
	w, req, prog := pp.w, pp.req, pp.prog
	if !w.running() {
		if err := checkSteps(w, req, prog); err != nil {
			return plans.Plan{}, err
		}
	}
	plan, err := w.canary(w.at(req, prog.Steps[next]))
	if err != nil {
		return plans.Plan{}, err
	}
	// The schedule is told once, as the progression starts (a DaemonSet's
	// later batches of step 1 find its canary running but nothing
	// recorded yet), and again when it resumes.
	if next == 0 && (!w.running() || pp.mine || req.Replace) {
		plan.Notes = append([]string{schedule(w, req, prog)}, plan.Notes...)
	}
	if plan.Continue {
		// The step's canary takes more than one segment (a DaemonSet's
		// nodes replaced batch by batch): its hold follows the last, and
		// the step's gates judge the pods while each batch starts.
		for i := range plan.Steps {
			if plan.Steps[i].Action == plans.Wait {
				plan.Steps[i].Progression = pp.record(next, release.ProgressionRunning)
			}
		}
		return plan, nil
	}
	plan.Steps = append(plan.Steps, plans.Step{Action: plans.Hold, Object: w.judged(plan), Duration: prog.Interval, Progression: pp.record(next, release.ProgressionRunning),
		Reason: fmt.Sprintf("hold step %d of %d (%s) for %s while the gates are checked", next+1, pp.steps, w.label(prog.Steps[next]), prog.Interval)})
	plan.Continue = true
	return plan, nil
}

// checkSteps refuses, before a progression starts, a step the canary
// cannot take (a weight replica counts cannot reach, more nodes than run
// the DaemonSet), and a DaemonSet's step that puts its canary on no more
// nodes than the step before (10%,25% of four nodes are one node each).
func checkSteps(w workload, req CanaryRequest, prog Progression) error {
	var last ProgressStep
	lastPods := int32(0)
	for _, st := range prog.Steps {
		if st.Pause {
			continue
		}
		at := w.at(req, st)
		plan, err := w.canary(at)
		if err != nil {
			return fmt.Errorf("step %s: %w", w.label(st), err)
		}
		pods := w.canaryPods(plan)
		if at.Nodes.Set() && pods <= lastPods {
			return fmt.Errorf("step %s is %d of the nodes of daemonset %s, no more than step %s: each step must put the canary on more nodes", w.label(st), pods, w.name(), w.label(last))
		}
		last, lastPods = st, pods
	}
	return nil
}

// awaitApproval is the plan at a pause: record it, then await a verdict.
func awaitApproval(w workload, paused *release.Progression, at string) plans.Plan {
	name := w.name()
	return plans.Plan{Steps: []plans.Step{{Action: plans.Await, Object: w.judged(plans.Plan{}), Progression: paused,
		Reason: fmt.Sprintf("await approval of step %d of %d", paused.Step+1, len(paused.Steps))}},
		Continue: true, Notes: []string{fmt.Sprintf(
			"paused at step %d of %d, the canary at %s: awaiting approval: 'kubectl ship approve %s [--reason TEXT]' goes on, 'kubectl ship reject %s --reason TEXT' rolls back",
			paused.Step+1, len(paused.Steps), at, name, name)}}
}

// planRejected rolls back a progression whose pause was rejected while no
// process ran it: exactly what abort does, the rejection recorded.
func planRejected(w workload, rec *release.Progression, v release.Approval) (plans.Plan, error) {
	plan, err := w.abort()
	plan.Progression = rec.End(release.ProgressionRolledBack, fmt.Sprintf("step %d of %d: %s", rec.Step+1, len(rec.Steps), v.Describe()))
	return plan, err
}
