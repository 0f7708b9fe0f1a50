package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// preflight reads every cluster's record at once, and plans the operation
// there, before any write: a cluster that does not answer, or whose plan
// would be refused (no such release, a bad image for its pods), stops the
// run here with nothing changed anywhere, and the records say where a run
// of the same command stopped (resume).
func (r *runner) preflight(ctx context.Context) (start int, soakAgain bool, err error) {
	var contexts []string
	for _, st := range r.report.Clusters {
		contexts = append(contexts, st.Context)
	}
	type answer struct {
		record  ship.LockState
		refusal error
	}
	results := Read(ctx, contexts, ReadOptions{Parallel: r.o.Parallel}, func(ctx context.Context, name string) (answer, error) {
		record, err := r.engine.ReadLockState(ctx, r.target(name))
		if err != nil {
			return answer{}, err
		}
		return answer{record, r.engine.Refusal(ctx, r.target(name), r.op.Planner)}, nil
	})
	progress := map[string]Progress{}
	var unreachable, refused []string
	for _, res := range results {
		st := r.states[res.Context]
		switch {
		case res.Err != nil:
			st.State, st.Detail, st.Outcome = StateUnreachable, res.Err.Error(), Classify(res.Err)
			unreachable = append(unreachable, res.Context)
			continue
		case res.Value.refusal != nil:
			st.State, st.Detail, st.Outcome = StateRefused, res.Value.refusal.Error(), Classify(res.Value.refusal)
			refused = append(refused, res.Context)
			continue
		}
		progress[res.Context] = progressOf(res.Value.record, r.op.Options.Command)
		if ops := res.Value.record.Operations; progress[res.Context] != NotStarted && progress[res.Context] != Started {
			st.Detail = "by this command at " + ops[len(ops)-1].Time.Format(time.DateTime)
		}
	}
	switch {
	case len(unreachable) > 0:
		return 0, false, fmt.Errorf("nothing changed: %s did not answer, and every cluster of the fleet must before the first write", strings.Join(unreachable, ", "))
	case len(refused) > 0:
		return 0, false, fmt.Errorf("nothing changed: %s would refuse the operation (see the table), and every cluster of the fleet must take it before the first write", strings.Join(refused, ", "))
	}
	start, soakAgain = resume(r.o.Waves, progress, r.o.Soak > 0)
	for _, w := range r.o.Waves[:start] {
		for _, c := range w.Contexts {
			r.states[c].State = StateAlreadyDone
		}
	}
	return start, soakAgain, nil
}

// target is the release in one cluster.
func (r *runner) target(name string) ship.Target {
	t := r.op.Target
	t.Context = name
	return t
}

// wave runs the operation in every cluster of w; it reports whether all
// finished.
func (r *runner) wave(ctx context.Context, w Wave) bool {
	r.each(w, func(name string) { r.cluster(ctx, w, name) })
	ok := true
	for _, c := range w.Contexts {
		ok = ok && r.states[c].State.finished()
	}
	return ok
}

// cluster runs the operation in one cluster, its lines prefixed with the
// context. An operation that can be rolled back is watched by the health
// gate while it runs: a failure there cuts it short.
func (r *runner) cluster(ctx context.Context, w Wave, name string) {
	r.set(name, func(st *ClusterState) { st.State = StateRunning })
	out, errOut := r.lines.Prefixed(r.o.Out, name), r.lines.Prefixed(r.o.ErrOut, name)
	defer func() { _ = out.Flush(); _ = errOut.Flush() }()
	o := r.op.Options
	o.Progress, o.Report = errOut, r.o.Reporters.Reporter(out, errOut)
	o.Fleet = &release.FleetStep{Wave: w.Number, Waves: len(r.o.Waves)}
	if name != r.o.CrashIn {
		o.CrashAfterWrite = 0
	}
	h := newHealth(r.engine, r.target(name), r.op.Options.Gates)
	r.mu.Lock()
	r.health[name] = h
	r.mu.Unlock()

	opCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	failure := make(chan string, 1)
	if o.DryRun == ship.DryRunNone && r.op.Rollback != nil {
		go func() {
			reason, _ := h.watch(opCtx, 0)
			if reason != "" {
				cancel(fmt.Errorf("health gate: %s", reason))
			}
			failure <- reason
		}()
	} else {
		failure <- ""
	}
	res, err := r.engine.Run(opCtx, r.target(name), r.op.Planner, o)
	cancel(context.Canceled) // ends the watch
	if reason := <-failure; reason != "" && err == nil {
		err = fmt.Errorf("health gate: %s", reason) // failed as the operation ended
	}
	r.finish(ctx, w, name, res, err)
}

// finish records how a cluster's operation ended, and rolls it back when it
// failed and the policy says so.
func (r *runner) finish(ctx context.Context, w Wave, name string, res *ship.Result, err error) {
	lines := changeLines(res)
	r.set(name, func(st *ClusterState) {
		switch {
		case err != nil && ctx.Err() != nil:
			st.State, st.Outcome = StateStopped, Degraded
			st.Detail = joinDetail(lines, "interrupted")
		case err != nil:
			st.State, st.Outcome = StateFailed, Degraded
			st.Detail = joinDetail(lines, err.Error())
		case r.op.Options.DryRun != ship.DryRunNone:
			st.State, st.Detail = StatePlanned, joinDetail(lines, "")
		case res.AlreadyDone:
			st.State = StateAlreadyDone
		case len(lines) == 0:
			st.State = StateNoChange
		default:
			st.State, st.Detail = StateDone, joinDetail(lines, "")
		}
	})
	if err != nil && ctx.Err() == nil {
		r.lines.Println(r.o.ErrOut, fmt.Sprintf("[%s] failed: %s", name, release.EscapeTerminal(err.Error())))
		r.rollback(ctx, w, name)
	}
}

func changeLines(res *ship.Result) []string {
	if res == nil {
		return nil
	}
	var lines []string
	for _, c := range res.Changes {
		lines = append(lines, c.Line)
	}
	return lines
}

func joinDetail(lines []string, more string) string {
	if more != "" {
		lines = append(lines, more)
	}
	return strings.Join(lines, "; ")
}
