package ship

import (
	"context"
	"io"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// Engine carries out operations on releases, in any context of the
// kubeconfig its clients come from.
type Engine struct {
	clients *kube.Factory
}

// New returns an Engine over clients.
func New(clients *kube.Factory) *Engine {
	return &Engine{clients: clients}
}

// currentContext is the kubeconfig's current context (or --context).
func (e *Engine) currentContext() string {
	_, current, _ := e.clients.Contexts()
	return current
}

// resolve returns the client of t's context, and t with its namespace
// filled in from that context when it names none.
func (e *Engine) resolve(t Target) (kubeCluster, Target, error) {
	client, err := e.clients.Client(t.Context)
	if err != nil {
		return kubeCluster{}, t, err
	}
	if t.Namespace == "" {
		t.Namespace = client.Namespace
	}
	return kubeCluster{client}, t, nil
}

// Run carries out p's operation on release t: it reads the release's lock,
// then the release, and plans; checks that the user may make every request
// of the plan; takes the lock from the Lease as read, so that the plan is
// only carried out if no other operation started or ended since (else it
// plans again); carries the plan out, segment after segment for a
// progression; and records the operation in the release's record. A plan
// that writes nothing takes no lock; a run that finds nothing left to do
// after the same verb already did it answers so, without an error.
func (e *Engine) Run(ctx context.Context, t Target, p plans.Planner, o Options) (*Result, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return &Result{Target: t}, err
	}
	r := newRun(client, t, p, o, e.currentContext)
	return r.res, r.execute(ctx)
}

// NewEngine returns an Engine over the clusters of kubectl's connection
// flags; the API server's warnings are printed to warnings, as kubectl does.
func NewEngine(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Engine {
	return New(kube.NewFactory(flags, warnings))
}
