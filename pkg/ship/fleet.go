package ship

import (
	"context"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Contexts lists the kubeconfig's contexts, sorted, and the current one.
func (e *Engine) Contexts() (names []string, current string, err error) {
	names, current, err = e.clients.Contexts()
	sort.Strings(names)
	return names, current, err
}

// PodHealth reads what the built-in health gate judges of release t, in
// four requests whatever its pods: the release, read again as an operation
// may have changed it, then its pods and Deployments (kube.Client.Health).
// The members come narrowest selector first: canary before stable, green
// before blue. The caller sets the time, the grace period and the restart
// baseline.
func (e *Engine) PodHealth(ctx context.Context, t Target) (gate.PodHealth, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return gate.PodHealth{}, err
	}
	rel, err := client.LoadRelease(ctx, t.Namespace, t.Name, t.Choice())
	if err != nil {
		return gate.PodHealth{}, err
	}
	pods, deployments, err := client.Health(ctx, rel, rel.Canary)
	if err != nil {
		return gate.PodHealth{}, err
	}
	var members []gate.Member
	add := func(role, name string) {
		if d := deployments[name]; d != nil {
			members = append(members, gate.Member{Role: role, Deployment: d})
		}
	}
	stable := "stable"
	if rel.Canary != nil {
		add(release.RoleCanary, rel.Canary.Name)
	}
	if rel.Green != nil {
		add(release.RoleGreen, rel.Green.Name)
		stable = string(release.Blue)
	}
	add(stable, rel.Stable.Name)
	return gate.PodHealth{Members: members, Pods: pods}, nil
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
	judged := judgedAfter(rel)
	return bindGates(client, t, rel, judged, gates, window, payload(t, rel, judged, Soaking, nil))
}

// judgedAfter is the Deployment an operation on rel put under test.
func judgedAfter(rel *release.Release) *appsv1.Deployment {
	if rel.Canary != nil {
		return rel.Canary
	}
	if rel.Green != nil {
		color, routed := rel.RouteServing()
		if !routed {
			color, _ = rel.Serving(rel.ColorKey())
		}
		if color != "" {
			return rel.Deployment(color)
		}
	}
	return rel.Stable
}
