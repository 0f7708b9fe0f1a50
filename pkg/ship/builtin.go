package ship

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// builtIn reads what a hold's built-in gates judge, once per check, and
// judges it: holding, every built-in gate, with the judged role's share of
// the traffic seen; else (the wait before a hold) the pods alone, first.
// What it judges gone ends the hold with a RemovedError naming where.
type builtIn interface {
	check(ctx context.Context, holding bool, where string) (results []gate.Result, actual float64, err error)
}

// deploymentGates are the built-in gates of a Deployment under test, from
// one read of its release, its pods and its Services' endpoints.
type deploymentGates struct {
	client cluster
	t      Target
	gates  gate.BuiltIn
	// uid is the judged Deployment's, from the first check that saw it: a
	// Deployment of that name with another UID was deleted and made again.
	uid types.UID
}

func (d *deploymentGates) check(ctx context.Context, holding bool, where string) ([]gate.Result, float64, error) {
	seen, err := d.client.Observe(ctx, d.t.Namespace, d.t.Name, d.t.Choice(), d.gates.Services)
	if err != nil {
		return gate.Unknown(err), 0, nil
	}
	if err := d.removed(seen.Release, holding, where); err != nil {
		return nil, 0, err
	}
	if !holding {
		return []gate.Result{d.gates.Starting(seen, time.Now())}, 0, nil
	}
	results := d.gates.Check(seen, time.Now())
	return results, d.gates.Actual, nil
}

// removed says whether the judged Deployment is gone from rel, or was made
// again (another UID), since a check first saw it; holding, one never seen
// is gone too, as the hold follows its wait.
func (d *deploymentGates) removed(rel *release.Release, holding bool, where string) error {
	name := d.gates.Judged
	dep := rel.DeploymentNamed(name)
	switch {
	case dep != nil && (d.uid == "" || dep.UID == d.uid):
		d.uid = dep.UID
		return nil
	case dep == nil && d.uid == "" && !holding:
		return nil // not created yet
	}
	return &RemovedError{Name: name, Where: where, Replaced: dep != nil}
}

// statefulGates are the built-in gates of a StatefulSet's canary, from one
// read of the StatefulSet and one list of its pods.
type statefulGates struct {
	client cluster
	t      Target
	gates  gate.StatefulBuiltIn
	// uid is the StatefulSet's, from the first check.
	uid types.UID
}

func (s *statefulGates) check(ctx context.Context, holding bool, where string) ([]gate.Result, float64, error) {
	sts, pods, err := s.client.ObserveStatefulSet(ctx, s.t.Namespace, s.t.Name)
	switch {
	case apierrors.IsNotFound(err):
		return nil, 0, &RemovedError{Kind: "statefulset", Name: s.t.Name, Where: where}
	case err != nil:
		return gate.Unknown(err), 0, nil
	case s.uid != "" && sts.UID != s.uid:
		return nil, 0, &RemovedError{Kind: "statefulset", Name: s.t.Name, Where: where, Replaced: true}
	}
	s.uid = sts.UID
	if !holding {
		return []gate.Result{s.gates.Starting(sts, pods, time.Now())}, 0, nil
	}
	return s.gates.Check(sts, pods, time.Now()), s.gates.Actual, nil
}
