package ship

import (
	"context"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Resolver makes what a run carries out from the workload of kind
// (release.KindDeployment: the release's stable Deployment, KindStatefulSet
// or KindDaemonSet) as the run first read it: the policy it carries (and
// the namespace default it names, read through r) under the command's flags. It is called once,
// before any write, and costs no request of its own when the workload
// carries no policy.
type Resolver func(ctx context.Context, kind string, w metav1.Object, r Reader) (Resolved, error)

// Resolved is the operation a policy makes of the command: its planner and
// gates, and where its notifications go. A nil Planner keeps the command's.
type Resolved struct {
	Planner  plans.Planner
	Gates    Gates
	Notifier Notifier
}

// Reader reads what a policy names in the release's namespace, with the
// user's own credentials.
type Reader interface {
	// ConfigMapData is the data of a ConfigMap.
	ConfigMapData(ctx context.Context, name string) (map[string]string, error)
	// SecretValue is the value of a Secret's key.
	SecretValue(ctx context.Context, name, key string) (string, error)
}

// Notifier is told of the moments of a release people want to hear of.
type Notifier interface {
	// Notify sends e, concurrently: it never blocks the release.
	Notify(e notify.Event)
	// Flush waits for what is being sent, each within its timeout, and
	// returns why any of it could not be delivered.
	Flush() []string
}

// reader reads in one namespace through a client.
type reader struct {
	client    cluster
	namespace string
}

func (r reader) ConfigMapData(ctx context.Context, name string) (map[string]string, error) {
	return r.client.ConfigMapData(ctx, r.namespace, name)
}

func (r reader) SecretValue(ctx context.Context, name, key string) (string, error) {
	return r.client.SecretValue(ctx, r.namespace, name, key)
}

// resolve applies the run's Resolver to what it read, once: it may make
// another planner, which may need more of the release read (a route the
// policy names).
func (r *run) resolve(ctx context.Context, snap *plans.Snapshot) (*plans.Snapshot, error) {
	if r.o.Resolve == nil || r.resolved {
		return snap, nil
	}
	kind, w := release.KindDeployment, metav1.Object(nil)
	switch {
	case snap.StatefulSet != nil:
		kind, w = release.KindStatefulSet, snap.StatefulSet
	case snap.DaemonSet != nil:
		kind, w = release.KindDaemonSet, snap.DaemonSet
	default:
		w = snap.Release.Stable
	}
	res, err := r.o.Resolve(ctx, kind, w, reader{r.client, r.t.Namespace})
	if err != nil {
		return nil, err
	}
	r.resolved = true
	if res.Notifier != nil {
		r.o.Notifier = res.Notifier
	}
	if res.Planner == nil {
		return snap, nil
	}
	needs := r.p.Needs()
	r.p, r.o.Gates = res.Planner, res.Gates
	if reflect.DeepEqual(needs, r.p.Needs()) {
		return snap, nil
	}
	return r.client.Load(ctx, r.t.Namespace, r.t.Name, r.t.Choice(), r.p.Needs(), r.routeRecord)
}
