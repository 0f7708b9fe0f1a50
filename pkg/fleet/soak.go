package fleet

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// soak watches every cluster of w for o.Soak: each must stay healthy by the
// built-in gate and pass the user's analyses and webhooks. The first failure ends the soak of the others (left as they
// are) and rolls the failed cluster back; it reports whether all passed.
func (r *runner) soak(ctx context.Context, w Wave, head string) bool {
	r.lines.Println(r.o.ErrOut, fmt.Sprintf("%s: soaking %s: every cluster must stay healthy", head, r.o.Soak))
	soakCtx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	var failed []string
	r.each(w, func(name string) {
		r.mu.Lock()
		h := r.health[name]
		if h == nil { // a wave done by an earlier run, soaked again
			h = newHealth(r.engine, r.target(name), r.op.Options.Gates)
			r.health[name] = h
		}
		r.mu.Unlock()
		reason, elapsed := h.soak(soakCtx, r.o.Soak)
		switch {
		case reason != "":
			mu.Lock()
			failed = append(failed, name)
			mu.Unlock()
			stop()
			r.set(name, func(st *ClusterState) {
				st.State, st.Outcome = StateFailed, Degraded
				st.Detail = joinDetail([]string{st.Detail}, "unhealthy while soaking: "+reason)
			})
			r.lines.Println(r.o.ErrOut, fmt.Sprintf("[%s] failed while soaking: %s", name, release.EscapeTerminal(reason)))
		case elapsed:
			// Recorded, so that a re-run killed after this soak does not
			// take the wave for unsoaked, nor skip one that was.
			step := release.FleetStep{Wave: w.Number, Waves: len(r.o.Waves)}
			recorded := r.engine.RecordSoak(ctx, r.target(name), r.op.Options.Command, step, r.o.Soak)
			r.set(name, func(st *ClusterState) {
				st.Detail = joinDetail(nonEmpty(st.Detail), fmt.Sprintf("healthy for %s (%s)", r.o.Soak, h.last.Reason))
				if recorded != nil {
					st.Detail = joinDetail([]string{st.Detail}, "its soak could not be recorded: "+recorded.Error())
				}
			})
		case ctx.Err() != nil:
			r.set(name, func(st *ClusterState) { st.Detail = joinDetail(nonEmpty(st.Detail), "soak interrupted") })
		default:
			r.set(name, func(st *ClusterState) {
				st.Detail = joinDetail(nonEmpty(st.Detail), "soak cut short: another cluster failed")
			})
		}
	})
	if ctx.Err() != nil {
		return false
	}
	for _, name := range failed {
		r.rollback(ctx, w, name)
	}
	return len(failed) == 0
}

func joinList(lines []string) string {
	if len(lines) == 0 {
		return "nothing to undo"
	}
	return strings.Join(lines, ", ")
}

func nonEmpty(detail string) []string {
	if detail == "" {
		return nil
	}
	return []string{detail}
}

// rollback undoes the operation in a cluster that failed, when the verb
// has a rollback and --on-failure is abort; the cluster's record keeps it
// as part of the fleet's command.
func (r *runner) rollback(ctx context.Context, w Wave, name string) {
	if r.op.Rollback == nil || r.o.OnFailure != Abort || r.op.Options.DryRun != ship.DryRunNone {
		return // a dry run changed nothing to roll back
	}
	out, errOut := r.lines.Prefixed(r.o.Out, name), r.lines.Prefixed(r.o.ErrOut, name)
	defer func() { _ = out.Flush(); _ = errOut.Flush() }()
	r.lines.Println(r.o.ErrOut, fmt.Sprintf("[%s] rolling back: %s", name, r.op.RollbackCommand))
	res, err := r.engine.Run(ctx, r.target(name), r.op.Rollback, ship.Options{
		DryRun: ship.DryRunNone, Timeout: r.op.Options.Timeout, Wait: r.op.Options.Wait,
		Command: r.op.RollbackCommand, Progress: errOut, Report: r.o.Reporters.Reporter(out, errOut),
		Fleet: &release.FleetStep{Wave: w.Number, Waves: len(r.o.Waves), Command: r.op.Options.Command},
	})
	r.set(name, func(st *ClusterState) {
		if err != nil {
			st.Detail = joinDetail([]string{st.Detail}, "rollback failed: "+err.Error())
			return
		}
		st.State = StateRolledBack
		st.Detail = joinDetail([]string{st.Detail}, "rolled back: "+joinList(changeLines(res)))
	})
}
