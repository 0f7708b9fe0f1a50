package ship

import (
	"context"
	"errors"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// notify tells the run's Notifier, if any, of an event of type t: where
// the progression shown stands, who runs it, the commands that go on or
// roll back, and reason.
func (r *run) notify(t notify.Type, user, reason string) {
	if r.o.Notifier == nil {
		return
	}
	context, cluster := r.client.Names()
	where := " --context " + context + " -n " + r.t.Namespace
	e := notify.Event{Type: t, Time: time.Now(), Context: context, Cluster: cluster, Namespace: r.t.Namespace, Release: r.t.Name,
		User: user, Reason: reason, Continue: r.o.Command + where, Rollback: "kubectl ship abort " + r.t.Name + where}
	if user == "" {
		e.User = r.user
	}
	if p := r.shown; p != nil {
		e.Images, e.Step, e.Steps, e.Weight = p.Images, p.Step+1, len(p.Steps), p.Weight()
	}
	switch t {
	case notify.Paused:
		e.Continue = "kubectl ship approve " + r.t.Name + where
	case notify.Promoted, notify.RolledBack:
		e.Continue, e.Rollback = "", ""
	}
	if f := r.o.Fleet; f != nil {
		e.Wave, e.Waves = f.Wave, f.Waves
	}
	r.o.Notifier.Notify(e)
}

// showPlan makes the progression plan moves the one events describe.
func (r *run) showPlan(plan plans.Plan) {
	r.shown = plan.Progression
	for _, step := range plan.Steps {
		if step.Progression != nil {
			r.shown = step.Progression
		}
	}
}

// notifyStart tells, once, that the run took the release's lock to act.
func (r *run) notifyStart() {
	if !r.started {
		r.started = true
		r.notify(notify.Started, "", "")
	}
}

// notifyStep tells that a progression reached a step's hold.
func (r *run) notifyStep(p *release.Progression) {
	if p != nil {
		r.shown = p
		r.notify(notify.StepReached, "", "")
	}
}

// notifyRecorded tells of a progression's end as it is recorded.
func (r *run) notifyRecorded(p *release.Progression) {
	r.shown = p
	switch {
	case p.Phase == release.ProgressionPromoted, p.Phase == release.ProgressionComplete && p.Color != "":
		// A switch held to the end is a blue-green release's promotion.
		r.ended = true
		r.notify(notify.Promoted, "", "")
	case p.Phase == release.ProgressionRolledBack:
		r.ended = true
		r.notify(notify.RolledBack, "", p.Reason)
	}
}

// notifyEnd tells how a run that took the lock ended, unless its end was
// told: interrupted (Ctrl-C, another command), or failed outside its gates
// (a rollout past its deadline, a lost lock, a refused write).
func (r *run) notifyEnd(ctx context.Context, err error) {
	var interrupted *interruptedError
	var preempted *PreemptedError
	switch {
	case err == nil || r.ended:
	case ctx.Err() != nil || errors.As(err, &interrupted) || errors.As(err, &preempted) || errors.Is(err, errStopped):
		r.notify(notify.Interrupted, "", err.Error())
	default:
		r.notify(notify.Failed, "", err.Error())
	}
}

// undelivered waits for the notifications under way and returns the
// warnings of those that could not be delivered, for the record.
func (r *run) undelivered() []string {
	if r.o.Notifier == nil {
		return nil
	}
	return r.o.Notifier.Flush()
}
