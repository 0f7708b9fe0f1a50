package ship

import (
	"context"
	"io"
	"net/http"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// cluster is what an operation asks of the API server of its context: the
// engine's whole view of it, so that its paths can be tested with a fake.
// kubeCluster is the real one.
type cluster interface {
	// ReadLock reads the release's lock and record; nil when there is none.
	ReadLock(ctx context.Context, namespace, name string) *coordinationv1.Lease
	// Load reads the release, and what needs asks for, to plan from.
	Load(ctx context.Context, namespace, name string, choice release.Choice, needs plans.Needs, record *release.RouteRecord) (*plans.Snapshot, error)
	// Lock takes the release's lock from the Lease as read.
	Lock(ctx context.Context, namespace, name string, current *coordinationv1.Lease, h kube.Holder, force bool, progress io.Writer) (heldLock, error)
	// FreeStaleLock frees a lock its holder left behind, and returns the
	// record's last operation.
	FreeStaleLock(ctx context.Context, current *coordinationv1.Lease, name, by string) (release.Operation, error)
	// CheckAccess refuses a plan whose requests the user may not make.
	CheckAccess(ctx context.Context, namespace, name string, p plans.Plan, needs plans.Needs) error
	// ReviewAccess reads what the user may do, for a recovery's check.
	ReviewAccess(ctx context.Context, namespace string) (*kube.Rules, error)
	// WhoAmI is the user as the API server authenticated them.
	WhoAmI(ctx context.Context) string
	// Write makes one step's write and returns the object as written.
	Write(ctx context.Context, step plans.Step, serverDryRun bool) (runtime.Object, error)
	// Wait waits for what a Wait step waits for.
	Wait(ctx context.Context, step plans.Step, timeout time.Duration, progress io.Writer) error
	// Observe reads what the built-in gates judge of the release;
	// ObserveStatefulSet of a StatefulSet's, ObserveDaemonSet of a
	// DaemonSet's.
	Observe(ctx context.Context, namespace, name string, choice release.Choice, services []string) (*release.Observed, error)
	ObserveStatefulSet(ctx context.Context, namespace, name string) (*appsv1.StatefulSet, []corev1.Pod, error)
	ObserveDaemonSet(ctx context.Context, namespace, name string) (*appsv1.DaemonSet, []corev1.Pod, error)
	// ObserveHTTPRoute reads the route a StatefulSet's canary runs
	// through, for its traffic gate: nil when it is gone.
	ObserveHTTPRoute(ctx context.Context, ref release.RouteRef) (*release.HTTPRoute, error)
	// Names are the context's and its cluster's, for notifications.
	Names() (context, cluster string)
	// Host is the API server's URL, and HTTPClient the client that reaches
	// it, for gates that ask through its service proxy.
	Host() string
	HTTPClient() *http.Client
	// ConfigMapData and SecretValue read what a release policy names.
	ConfigMapData(ctx context.Context, namespace, name string) (map[string]string, error)
	SecretValue(ctx context.Context, namespace, name, key string) (string, error)
}

// heldLock is a release's lock, held by the run (kube.Lock).
type heldLock interface {
	// Keep renews the lock until ctx ends; its context ends if it is lost.
	Keep(ctx context.Context) (context.Context, context.CancelFunc)
	// Release frees the lock with op recorded.
	Release(ctx context.Context, op release.Operation) error
	// Check fails when the lock is no longer this run's.
	Check(ctx context.Context) error
	// GaveWay says whether another command gave the lock way to this run.
	GaveWay() bool
	// KeepRoute and ForgetRoute keep, or forget on release, the way back
	// of the route the run changes.
	KeepRoute(ctx context.Context, rec *release.RouteRecord) error
	ForgetRoute()
	// SaveProgression keeps a progression in the release's record.
	SaveProgression(ctx context.Context, p *release.Progression) error
	// Stay marks the lock as staying until until; Await until a verdict.
	Stay(ctx context.Context, until time.Time) (heldStay, error)
	Await(ctx context.Context) (heldStay, error)
}

// heldStay is a stay of the lock in progress (kube.Staying).
type heldStay interface {
	// Preempted receives who asked the stay to give way; Verdict, for an
	// Await, the progression once judged.
	Preempted() <-chan string
	Verdict() <-chan *release.Progression
	// End ends the stay; EndRecording also records p in the same write;
	// Leave only stops watching.
	End(ctx context.Context, gaveWay bool) error
	EndRecording(ctx context.Context, p *release.Progression) error
	Leave()
}

// kubeCluster is the cluster of a kube.Client.
type kubeCluster struct{ *kube.Client }

func (c kubeCluster) Lock(ctx context.Context, namespace, name string, current *coordinationv1.Lease, h kube.Holder, force bool, progress io.Writer) (heldLock, error) {
	lock, err := c.Client.Lock(ctx, namespace, name, current, h, force, progress)
	if err != nil {
		return nil, err
	}
	return kubeLock{lock}, nil
}

// kubeLock is the heldLock of a kube.Lock.
type kubeLock struct{ *kube.Lock }

func (l kubeLock) Stay(ctx context.Context, until time.Time) (heldStay, error) {
	s, err := l.Lock.Stay(ctx, until)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (l kubeLock) Await(ctx context.Context) (heldStay, error) {
	s, err := l.Lock.Await(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}
