package ship

import (
	"context"
	"errors"
	"io"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Contexts lists the kubeconfig's contexts, sorted, and the current one.
func (e *Engine) Contexts() (names []string, current string, err error) {
	names, current, err = e.clients.Contexts()
	sort.Strings(names)
	return names, current, err
}

// LockState is what a release's lock says of the operations on it.
type LockState struct {
	// Operations are those of its record, oldest first.
	Operations []release.Operation
	// Holder is the command that holds the lock; "" when it is free.
	Holder string
}

// ReadLockState reads release t's record and who holds its lock, in one request.
func (e *Engine) ReadLockState(ctx context.Context, t Target) (LockState, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return LockState{}, err
	}
	raw, holder, err := client.ReadHistoryAndHolder(ctx, t.Namespace, t.Name)
	return LockState{Operations: release.ParseOperations(raw), Holder: holder}, err
}

// Refusal reads release t in one cluster and plans p's operation on it,
// writing nothing: the error the operation would stop on before its first
// write, or nil when it would act (or the same verb already did it). A
// fleet asks every cluster before it writes anywhere.
func (e *Engine) Refusal(ctx context.Context, t Target, p plans.Planner) error {
	client, t, err := e.resolve(t)
	if err != nil {
		return err
	}
	return refusal(ctx, client, t, p)
}

// refusal is Refusal in client's cluster.
func refusal(ctx context.Context, client cluster, t Target, p plans.Planner) error {
	r := &run{client: client, t: t, p: p, res: &Result{Target: t}}
	lease := client.ReadLock(ctx, t.Namespace, t.Name)
	if lease != nil {
		r.progression = release.ParseProgression(lease.Annotations[release.AnnotationProgression])
	}
	_, err := r.firstPlan(ctx)
	var nothingLeft *plans.NothingLeftError
	if errors.As(err, &nothingLeft) && lease != nil {
		if last, ok := release.LastOperation(lease.Annotations[release.AnnotationHistory]); ok && last.Verb == p.Verb() && (last.Interrupted || last.Error == "") {
			return nil // already done
		}
	}
	return err
}

// Soaking is the phase a webhook is told while a fleet's wave soaks.
const Soaking = "Soaking"

// SoakVerb is the verb of the operation a fleet records in a cluster whose
// wave's soak ended healthy: a re-run of its command knows it need not
// soak that wave again.
const SoakVerb = "soak"

// RecordSoak records in release t's record that the soak of command's wave
// (step) ended there healthy after d: under the release's lock, three
// requests and an Event.
func (e *Engine) RecordSoak(ctx context.Context, t Target, command string, step release.FleetStep, d time.Duration) error {
	client, t, err := e.resolve(t)
	if err != nil {
		return err
	}
	holder := kube.Holder{Command: command, Verb: SoakVerb}
	lock, err := client.Lock(ctx, t.Namespace, t.Name, client.ReadLock(ctx, t.Namespace, t.Name), holder, false, io.Discard)
	if err != nil {
		return err
	}
	return lock.Release(ctx, release.Operation{Time: metav1.Now(), Verb: SoakVerb, Command: command, From: kube.LocalAccount(),
		Changes: []string{"healthy for " + d.String()}, Fleet: &step})
}

// SoakGates binds the analyses and webhooks of gates to release t as its
// operation left it, for a fleet's soak of length window beside the
// built-in gate, and returns the payload its webhooks are sent: the caller
// sets in it the share of the traffic each check saw. They judge the
// canary, else the color the release serves, else the stable Deployment;
// or its StatefulSet or DaemonSet. With neither analyses nor webhooks it makes no request.
func (e *Engine) SoakGates(ctx context.Context, t Target, gates Gates, window time.Duration) ([]gate.Gate, *gate.Payload, error) {
	if len(gates.Analyses) == 0 && len(gates.Webhooks) == 0 {
		return nil, &gate.Payload{}, nil
	}
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, nil, err
	}
	var subj subject
	rel, err := client.LoadRelease(ctx, t.Namespace, t.Name, t.Choice())
	switch {
	case err == nil:
		subj = deploymentSubject(rel, rel.UnderTest())
	case release.IsNoDeployment(err):
		var seen *release.Observed
		if seen, err = observeWorkload(ctx, client, t, err); err == nil {
			subj = workloadSubject(seen)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	p := payload(t, client, e.currentContext, subj, Soaking, nil)
	bound, err := bindGates(client, t, subj, gates, window, p)
	return bound, p, err
}
