package ship

import (
	"context"
	"sort"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Contexts lists the kubeconfig's contexts, sorted, and the current one.
func (e *Engine) Contexts() (names []string, current string, err error) {
	names, current, err = e.clients.Contexts()
	sort.Strings(names)
	return names, current, err
}

// Observe reads what the built-in gates judge of release t, as it is now
// (an operation may have changed it), in four requests whatever its pods
// (five through a route): see kube.Client.Observe.
func (e *Engine) Observe(ctx context.Context, t Target) (*release.Observed, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	return client.Observe(ctx, t.Namespace, t.Name, t.Choice(), nil)
}

// Record is what a release's lock says of the operations on it.
type Record struct {
	// Operations are those of its record, oldest first.
	Operations []release.Operation
	// Holder is the command that holds the lock; "" when it is free.
	Holder string
}

// Record reads release t's record and who holds its lock, in one request.
func (e *Engine) Record(ctx context.Context, t Target) (Record, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return Record{}, err
	}
	raw, holder, err := client.RecordAndHolder(ctx, t.Namespace, t.Name)
	return Record{Operations: release.ParseOperations(raw), Holder: holder}, err
}

// Soaking is the phase a webhook is told while a fleet's wave soaks.
const Soaking = "Soaking"

// SoakGates binds the analyses and webhooks of gates to release t as its
// operation left it, for a fleet's soak of length window beside the
// built-in gate. They judge the canary, else the color the release serves,
// else the stable Deployment. With neither analyses nor webhooks it makes
// no request.
func (e *Engine) SoakGates(ctx context.Context, t Target, gates Gates, window time.Duration) ([]gate.Gate, error) {
	if len(gates.Analyses) == 0 && len(gates.Webhooks) == 0 {
		return nil, nil
	}
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	rel, err := client.LoadRelease(ctx, t.Namespace, t.Name, t.Choice())
	if err != nil {
		return nil, err
	}
	judged := rel.UnderTest()
	return bindGates(client, t, rel, judged, gates, window, payload(t, rel, judged, Soaking, nil))
}
