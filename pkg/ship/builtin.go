package ship

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	// route, when the canary runs through one, is read beside them (one
	// request more): its weights are what the traffic gate judges. It is
	// named relative to the StatefulSet's namespace.
	route *release.RouteRef
	// uid is the StatefulSet's, from the first check.
	uid types.UID
}

func (s *statefulGates) check(ctx context.Context, holding bool, where string) ([]gate.Result, float64, error) {
	var seen gate.RouteSeen
	var g sync.WaitGroup
	if s.route != nil && holding {
		seen.Ref = *s.route
		g.Add(1)
		go func() {
			defer g.Done()
			seen.Route, seen.Err = s.client.ObserveHTTPRoute(ctx, seen.Ref.In(s.t.Namespace))
		}()
	}
	sts, pods, err := s.client.ObserveStatefulSet(ctx, s.t.Namespace, s.t.Name)
	g.Wait()
	if results, err := observed(sts, err, &s.uid, "statefulset", s.t.Name, where); results != nil || err != nil {
		return results, 0, err
	}
	switch {
	case !holding:
		return []gate.Result{s.gates.Starting(sts, pods, time.Now())}, 0, nil
	case s.route != nil:
		return s.gates.CheckRouted(sts, pods, seen, time.Now()), s.gates.Actual, nil
	}
	return s.gates.Check(sts, pods, time.Now()), s.gates.Actual, nil
}

// daemonGates are the built-in gate of a DaemonSet's canary, from one read
// of the DaemonSet and one list of its pods.
type daemonGates struct {
	client cluster
	t      Target
	gates  gate.DaemonBuiltIn
	// uid is the DaemonSet's, from the first check.
	uid types.UID
}

func (d *daemonGates) check(ctx context.Context, holding bool, where string) ([]gate.Result, float64, error) {
	ds, pods, err := d.client.ObserveDaemonSet(ctx, d.t.Namespace, d.t.Name)
	if results, err := observed(ds, err, &d.uid, "daemonset", d.t.Name, where); results != nil || err != nil {
		return results, 0, err
	}
	if !holding {
		return []gate.Result{d.gates.Starting(ds, pods, time.Now())}, 0, nil
	}
	return d.gates.Check(ds, pods, time.Now()), 0, nil
}

// observed judges the read of a workload under test, obj of kind, before
// its gates do: gone, or made again since the first check saw uid, it ends
// the hold with a RemovedError; unread, the check is inconclusive. Else
// both are nil and uid is obj's.
func observed(obj metav1.Object, err error, uid *types.UID, kind, name, where string) ([]gate.Result, error) {
	switch {
	case apierrors.IsNotFound(err):
		return nil, &RemovedError{Kind: kind, Name: name, Where: where}
	case err != nil:
		return gate.Unknown(err), nil
	case *uid != "" && obj.GetUID() != *uid:
		return nil, &RemovedError{Kind: kind, Name: name, Where: where, Replaced: true}
	}
	*uid = obj.GetUID()
	return nil, nil
}
