package fleet

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// *ship.Engine is the fleet's engine.
var _ Engine = (*ship.Engine)(nil)

// fakeEngine is a fleet of clusters, each holding release web, healthy
// unless told otherwise. It keeps, in order, what the fleet asked of it.
type fakeEngine struct {
	mu    sync.Mutex
	calls []string

	records    map[string]ship.LockState
	recordErrs map[string]error
	refusals   map[string]error
	runErrs    map[string]error
	// blocks are the clusters whose operation runs until it is cut short.
	blocks map[string]bool
	// sick are the clusters whose release cannot be read by the gates.
	sick map[string]bool
	// workload, when set, is what the gates read in a cluster, before its
	// soak began and after; else healthy().
	workload func(cluster string, soaking bool) *release.Observed
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{records: map[string]ship.LockState{}, recordErrs: map[string]error{}, refusals: map[string]error{},
		runErrs: map[string]error{}, blocks: map[string]bool{}, sick: map[string]bool{}}
}

func (e *fakeEngine) called(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, fmt.Sprintf(format, args...))
}

// index is where the first call that is want was made; -1 when none was.
func (e *fakeEngine) index(want string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, call := range e.calls {
		if call == want {
			return i
		}
	}
	return -1
}

// count is how many calls began with prefix.
func (e *fakeEngine) count(prefix string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, call := range e.calls {
		if strings.HasPrefix(call, prefix) {
			n++
		}
	}
	return n
}

func (e *fakeEngine) Run(ctx context.Context, t ship.Target, p plans.Planner, o ship.Options) (*ship.Result, error) {
	e.called("run %s %s", t.Context, p.Verb())
	res := &ship.Result{Target: t}
	if o.DryRun == ship.DryRunNone || o.DryRun == "" {
		line := "deployment.apps/web-canary created"
		if p.Verb() == "abort" {
			line = "deployment.apps/web-canary deleted"
		}
		res.Changes = []ship.Change{{Line: line}}
		fmt.Fprintf(o.Progress, "%s\n", line)
	}
	if e.blocks[t.Context] && p.Verb() != "abort" {
		<-ctx.Done()
		return res, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
	return res, e.runErrs[t.Context+" "+p.Verb()]
}

func (e *fakeEngine) ReadLockState(_ context.Context, t ship.Target) (ship.LockState, error) {
	e.called("record %s", t.Context)
	return e.records[t.Context], e.recordErrs[t.Context]
}

func (e *fakeEngine) Refusal(_ context.Context, t ship.Target, p plans.Planner) error {
	e.called("refusal %s %s", t.Context, p.Verb())
	return e.refusals[t.Context]
}

func (e *fakeEngine) Observe(_ context.Context, t ship.Target, kind string) (*release.Observed, error) {
	soaking := e.index("soakgates "+t.Context) >= 0
	e.called("observe %s %q", t.Context, kind)
	seen := healthy()
	switch {
	case e.sick[t.Context]:
		return nil, fmt.Errorf("the server is currently unable to handle the request")
	case e.workload != nil:
		seen = e.workload(t.Context, soaking)
	}
	if kind != "" && kind != seen.Kind() {
		return nil, fmt.Errorf("no %s web", kind)
	}
	return seen, nil
}

func (e *fakeEngine) SoakGates(_ context.Context, t ship.Target, _ ship.Gates, _ time.Duration) ([]gate.Gate, *gate.Payload, error) {
	e.called("soakgates %s", t.Context)
	return nil, &gate.Payload{}, nil
}

func (e *fakeEngine) RecordSoak(_ context.Context, t ship.Target, _ string, step release.FleetStep, d time.Duration) error {
	e.called("recordsoak %s wave %d of %d after %s", t.Context, step.Wave, step.Waves, d)
	return nil
}

// healthy is release web as the built-in gates see it when all is well:
// one Ready pod of web, the Service's endpoint on it.
func healthy() *release.Observed {
	web := fixture.NewDeployment("web").InNamespace("shop").AppOnly().V()
	svc := fixture.NewService("web").InNamespace("shop").V()
	pod := fixture.NewReplicaSetPod(web, "5t4bl3", "x").WithContainerName("web").Created(time.Since(fixture.T0) - time.Hour).V()
	slice := fixture.NewEndpointSlice("web", pod.Name)
	meta := metav1.PartialObjectMetadata{ObjectMeta: pod.ObjectMeta}
	return &release.Observed{Release: &release.Release{Stable: web, Services: []*corev1.Service{svc}}, Pods: []corev1.Pod{pod},
		Endpoints: release.NewEndpoints([]discoveryv1.EndpointSlice{slice}, []metav1.PartialObjectMetadata{meta})}
}

// planner is a verb the fake engine knows by name.
type planner string

func (p planner) Verb() string                             { return string(p) }
func (p planner) Needs() plans.Needs                       { return plans.Needs{} }
func (p planner) Plan(*plans.Snapshot) (plans.Plan, error) { return plans.Plan{}, nil }

// reporters gives each cluster no printer of its own: the changes are
// in the progress the fake writes.
type reporters struct{}

func (reporters) Reporter(io.Writer, io.Writer) ship.Reporter { return nil }
