package run

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// fakeEngine holds release web in every context of its kubeconfig. It keeps,
// in order, what it was asked, and each run's options.
type fakeEngine struct {
	mu      sync.Mutex
	calls   []string
	options map[string]ship.Options

	contexts    []string
	contextsErr error
	// selected are the releases any selector matches.
	selected    []string
	selectedErr error
	// runErrs are the errors of runs, by release name.
	runErrs map[string]error
}

func newFakeEngine(contexts ...string) *fakeEngine {
	return &fakeEngine{contexts: contexts, options: map[string]ship.Options{}, runErrs: map[string]error{}}
}

func (e *fakeEngine) called(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, fmt.Sprintf(format, args...))
}

// runs are the runs asked for, in order, as "run CONTEXT NAME VERB".
func (e *fakeEngine) runs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var runs []string
	for _, call := range e.calls {
		if strings.HasPrefix(call, "run ") {
			runs = append(runs, call)
		}
	}
	slices.Sort(runs)
	return runs
}

func (e *fakeEngine) Run(_ context.Context, t ship.Target, p plans.Planner, o ship.Options) (*ship.Result, error) {
	e.called("run %s %s %s", t.Context, t.Name, p.Verb())
	e.mu.Lock()
	e.options[t.Context] = o
	e.mu.Unlock()
	if o.Report != nil {
		if err := o.Report.Report(ship.Change{Line: "deployment.apps/" + t.Name + "-canary created"}); err != nil {
			return nil, err
		}
	}
	return &ship.Result{Target: t}, e.runErrs[t.Name]
}

func (e *fakeEngine) ReadLockState(_ context.Context, t ship.Target) (ship.LockState, error) {
	e.called("lockstate %s", t.Context)
	return ship.LockState{}, nil
}

func (e *fakeEngine) Refusal(_ context.Context, t ship.Target, p plans.Planner) error {
	e.called("refusal %s %s", t.Context, p.Verb())
	return nil
}

func (e *fakeEngine) Observe(_ context.Context, t ship.Target, _ string) (*release.Observed, error) {
	e.called("observe %s", t.Context)
	return nil, fmt.Errorf("the fake reads no pods")
}

func (e *fakeEngine) SoakGates(_ context.Context, t ship.Target, _ ship.Gates, _ time.Duration) ([]gate.Gate, *gate.Payload, error) {
	e.called("soakgates %s", t.Context)
	return nil, &gate.Payload{}, nil
}

func (e *fakeEngine) RecordSoak(_ context.Context, t ship.Target, _ string, _ release.FleetStep, _ time.Duration) error {
	e.called("recordsoak %s", t.Context)
	return nil
}

func (e *fakeEngine) Contexts() ([]string, string, error) {
	e.called("contexts")
	return e.contexts, "", e.contextsErr
}

func (e *fakeEngine) Releases(_ context.Context, _ ship.Target, selector string) ([]string, error) {
	e.called("releases %s", selector)
	return e.selected, e.selectedErr
}

// planner is a verb known by name.
type planner string

func (p planner) Verb() string                             { return string(p) }
func (p planner) Needs() plans.Needs                       { return plans.Needs{} }
func (p planner) Plan(*plans.Snapshot) (plans.Plan, error) { return plans.Plan{}, nil }

// printer keeps the lines it was given until Flush writes them to out.
type printer struct {
	out      io.Writer
	held     []string
	flushErr error
}

func (p *printer) Report(c ship.Change) error {
	p.held = append(p.held, c.Line)
	return nil
}

func (p *printer) Flush() error {
	for _, line := range p.held {
		fmt.Fprintln(p.out, line)
	}
	p.held = nil
	return p.flushErr
}

// reporters give each cluster of a fleet a printer of its changes as they
// are made.
type reporters struct{}

func (reporters) Reporter(out, _ io.Writer) ship.Reporter { return lines{out} }

type lines struct{ out io.Writer }

func (l lines) Report(c ship.Change) error {
	_, err := fmt.Fprintln(l.out, c.Line)
	return err
}
