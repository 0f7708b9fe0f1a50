package fleet

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Operation is one verb's operation on one release, to carry out in every
// cluster of a fleet.
type Operation struct {
	// Target is the release; each cluster's run sets its Context.
	Target  ship.Target
	Planner plans.Planner
	// Options are each cluster's; Progress, Report and Fleet are set per
	// cluster, CrashAfterWrite kept only for RunOptions.CrashIn.
	Options ship.Options
	// Rollback undoes the operation in a cluster that failed (a canary's
	// is abort); nil when the verb has none. While an operation that can be
	// rolled back runs, the health gate already watches it.
	Rollback plans.Planner
	// RollbackCommand is the rollback's command line, for the record.
	RollbackCommand string
}

// OnFailure is what happens to the cluster that failed.
type OnFailure string

// The --on-failure policies.
const (
	// Abort rolls back the cluster that failed, only it.
	Abort OnFailure = "abort"
	// Stop leaves it as it is.
	Stop OnFailure = "stop"
)

// Reporters give each cluster's run its printer of changes: the command
// line implements it (kubectl-style result lines).
type Reporters interface {
	Reporter(out, errOut io.Writer) ship.Reporter
}

// RunOptions are how the fleet runs.
type RunOptions struct {
	Waves     []Wave
	Soak      time.Duration
	OnFailure OnFailure
	Parallel  int
	// Out receives the results (each cluster's lines, prefixed with its
	// context, then the report); ErrOut the progress.
	Out, ErrOut io.Writer
	Reporters   Reporters
	Hints       Hints
	// CrashIn is the context whose run Options.CrashAfterWrite applies to:
	// a testing aid that kills the fleet in the middle of one cluster.
	CrashIn string
}

// runner is one fleet run in progress.
type runner struct {
	engine Engine
	op     Operation
	o      RunOptions
	lines  Lines
	report *Report

	mu     sync.Mutex
	states map[string]*ClusterState
	health map[string]*health
}

// Run carries op through the waves in order, the clusters of a wave at
// once. Before the first write it reads every cluster's record: a cluster
// that does not answer stops the run before anything changes, and the
// waves a previous run of the same command finished are skipped. After each
// wave, each of its clusters must stay healthy for o.Soak. The first failure
// stops the fleet: the failed cluster is rolled back (o.OnFailure abort),
// the rest of its wave is left as it is, later waves are not touched. The
// report says where every cluster ended; the error is nil only when every
// cluster finished.
func Run(ctx context.Context, engine Engine, op Operation, o RunOptions) (*Report, error) {
	r := &runner{engine: engine, op: op, o: o, report: &Report{Hints: o.Hints},
		states: map[string]*ClusterState{}, health: map[string]*health{}}
	for _, w := range o.Waves {
		for _, c := range w.Contexts {
			st := &ClusterState{Wave: w.Number, Context: c, State: StateNotStarted}
			r.states[c] = st
			r.report.Clusters = append(r.report.Clusters, st)
		}
	}
	err := r.run(ctx)
	if err == nil && !r.report.Finished() {
		err = fmt.Errorf("the fleet stopped before every cluster finished")
	}
	return r.report, err
}

func (r *runner) run(ctx context.Context) error {
	start, soakAgain := 0, false
	if r.op.Options.DryRun == ship.DryRunNone {
		var err error
		if start, soakAgain, err = r.preflight(ctx); err != nil {
			return err
		}
	}
	for i, w := range r.o.Waves {
		head := fmt.Sprintf("wave %d/%d (%s)", w.Number, len(r.o.Waves), strings.Join(w.Contexts, ", "))
		if i < start {
			r.lines.Println(r.o.ErrOut, head+": already done by this command")
			if i == start-1 && soakAgain {
				r.lines.Println(r.o.ErrOut, head+": its soak may have been cut short: soaking again")
				if !r.soak(ctx, w, head) {
					return r.stopped(ctx, w)
				}
			}
			continue
		}
		r.lines.Println(r.o.ErrOut, head+": "+r.op.Planner.Verb())
		if !r.wave(ctx, w) {
			return r.stopped(ctx, w)
		}
		if r.op.Options.DryRun == ship.DryRunNone && r.o.Soak > 0 && !r.soak(ctx, w, head) {
			return r.stopped(ctx, w)
		}
		if r.op.Options.DryRun == ship.DryRunNone {
			r.lines.Println(r.o.ErrOut, head+": done")
		}
	}
	return nil
}

// stopped is the error of a run stopped in wave w.
func (r *runner) stopped(ctx context.Context, w Wave) error {
	later := ""
	if w.Number < len(r.o.Waves) {
		later = ": later waves not started"
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted in wave %d%s", w.Number, later)
	}
	var failed []string
	for _, c := range w.Contexts {
		if st := r.states[c]; st.State == StateFailed || st.State == StateRolledBack {
			failed = append(failed, c)
		}
	}
	return fmt.Errorf("wave %d failed in %s%s", w.Number, strings.Join(failed, ", "), later)
}

// each runs fn for every context of w, at most o.Parallel at once.
func (r *runner) each(w Wave, fn func(name string)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(r.o.Parallel, 1))
	for _, name := range w.Contexts {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			fn(name)
		}()
	}
	wg.Wait()
}

// set changes a cluster's state under the lock, for the concurrent runs.
func (r *runner) set(name string, change func(*ClusterState)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	change(r.states[name])
}
