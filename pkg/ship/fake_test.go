package ship

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// fakeCluster is a cluster holding one release, the Deployment web, whose
// image the fake planners change. Writes use optimistic concurrency as the
// API server does: a patch computed against an older resourceVersion is a
// conflict. The scripted errors make the failure paths happen on cue.
type fakeCluster struct {
	mu sync.Mutex

	image string
	rv    int
	lease *coordinationv1.Lease
	// last is what FreeStaleLock says was the record's last operation.
	last release.Operation

	// lockErrs are returned by the first Lock calls, in turn.
	lockErrs []error
	// interfere makes that many writes find web changed by someone else
	// since it was read: each is a conflict, and the object moves on.
	interfere int
	// conflictAlways makes every write a conflict.
	conflictAlways bool
	// waitErrs are returned by the first Waits, in turn.
	waitErrs []error
	// accessErr refuses the plan; loadErr fails the reads from the
	// loadFrom-th on (1-based; 0 is the first).
	accessErr         error
	loadErr           error
	loadFrom          int
	checkErr          error
	observeErr        error
	observeWithoutWeb bool
	// statefulSet and statefulPods are what ObserveStatefulSet finds (a
	// StatefulSet's hold), statefulSets each read in turn, the last kept.
	statefulSets []*appsv1.StatefulSet
	statefulPods []corev1.Pod
	// httpRoute and httpRouteErr are what ObserveHTTPRoute finds.
	httpRoute    *release.HTTPRoute
	httpRouteErr error
	// daemonSet and daemonPods are what ObserveDaemonSet finds.
	daemonSet  *appsv1.DaemonSet
	daemonPods []corev1.Pod
	// staying is the stay the lock's Stay and Await hand out.
	staying *fakeStay
	// waitBlocks makes each Wait wait until its context ends.
	waitBlocks bool
	// afterWait, when set, runs at the end of each Wait: someone else's
	// change, or Ctrl-C, while the run waits.
	afterWait func(*fakeCluster)

	// What the run asked for.
	calls []string
	loads int
	// snaps are the snapshots handed out, in turn.
	snaps []*plans.Snapshot
	lock  *fakeLock
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{image: "web:1", rv: 1}
}

func (c *fakeCluster) called(format string, args ...any) {
	c.calls = append(c.calls, fmt.Sprintf(format, args...))
}

// count is how many calls began with prefix.
func (c *fakeCluster) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, call := range c.calls {
		if len(call) >= len(prefix) && call[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func (c *fakeCluster) web() *appsv1.Deployment {
	d := fixture.NewDeployment("web").InNamespace("prod").WithImage(c.image).AppOnly().V()
	d.ResourceVersion = strconv.Itoa(c.rv)
	return d
}

func (c *fakeCluster) ReadLock(_ context.Context, _, _ string) *coordinationv1.Lease {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("readlock")
	return c.lease.DeepCopy()
}

func (c *fakeCluster) Load(_ context.Context, namespace, _ string, _ release.Choice, _ plans.Needs, _ *release.RouteRecord) (*plans.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("load")
	c.loads++
	if c.loadErr != nil && c.loads >= c.loadFrom {
		return nil, c.loadErr
	}
	svc := fixture.NewService("web").InNamespace(namespace).V()
	snap := &plans.Snapshot{Release: &release.Release{Stable: c.web(), Services: []*corev1.Service{svc}}}
	c.snaps = append(c.snaps, snap)
	return snap, nil
}

func (c *fakeCluster) Lock(_ context.Context, _, name string, _ *coordinationv1.Lease, h kube.Holder, _ bool, _ io.Writer) (heldLock, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("lock %s", h.Verb)
	if len(c.lockErrs) > 0 {
		err := c.lockErrs[0]
		c.lockErrs = c.lockErrs[1:]
		if err != nil {
			return nil, fmt.Errorf("release %s is busy: %w", name, err)
		}
	}
	c.lock = &fakeLock{cluster: c, holder: h}
	return c.lock, nil
}

func (c *fakeCluster) FreeStaleLock(_ context.Context, _ *coordinationv1.Lease, _, _ string) (release.Operation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("freestale")
	return c.last, nil
}

func (c *fakeCluster) CheckAccess(_ context.Context, _, _ string, _ plans.Plan, _ plans.Needs) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("checkaccess")
	return c.accessErr
}

func (c *fakeCluster) ReviewAccess(_ context.Context, _ string) (*kube.Rules, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("reviewaccess")
	return nil, nil // nil rules: every plan passes, as when RBAC cannot say
}

func (c *fakeCluster) WhoAmI(context.Context) string { return "alice" }

func (c *fakeCluster) Write(_ context.Context, step plans.Step, serverDryRun bool) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := step.Object.(*appsv1.Deployment)
	if !ok {
		c.called("write %s %T dry=%t", step.Action, step.Object, serverDryRun)
		return step.Object, nil
	}
	c.called("write %s %s dry=%t", step.Action, d.Name, serverDryRun)
	conflict := apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, d.Name, fmt.Errorf("the object has been modified"))
	switch {
	case c.conflictAlways:
		return nil, conflict
	case d.Name != "web" || serverDryRun:
		return d, nil
	case c.interfere > 0:
		c.interfere--
		c.rv++ // someone else's write
		return nil, conflict
	case d.ResourceVersion != strconv.Itoa(c.rv):
		return nil, conflict
	}
	c.rv++
	c.image = d.Spec.Template.Spec.Containers[0].Image
	return c.web(), nil
}

func (c *fakeCluster) Wait(ctx context.Context, step plans.Step, _ time.Duration, _ io.Writer) error {
	if c.waitBlocks {
		<-ctx.Done()
		return ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("wait %s", step.Until)
	if c.afterWait != nil {
		defer c.afterWait(c)
	}
	if len(c.waitErrs) > 0 {
		err := c.waitErrs[0]
		c.waitErrs = c.waitErrs[1:]
		return err
	}
	return nil
}

func (c *fakeCluster) Observe(_ context.Context, namespace, _ string, _ release.Choice, _ []string) (*release.Observed, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("observe")
	if c.observeErr != nil {
		return nil, c.observeErr
	}
	rel := &release.Release{Stable: c.web()}
	if c.observeWithoutWeb {
		rel.Stable = fixture.NewDeployment("other").InNamespace(namespace).V()
	}
	return &release.Observed{Release: rel, Endpoints: release.NewEndpoints(nil, nil)}, nil
}

// ObserveStatefulSet finds statefulSets in turn (nil: not found), with
// statefulPods.
func (c *fakeCluster) ObserveStatefulSet(_ context.Context, _, name string) (*appsv1.StatefulSet, []corev1.Pod, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("observe statefulset")
	var sts *appsv1.StatefulSet
	if len(c.statefulSets) > 0 {
		sts = c.statefulSets[0]
		if len(c.statefulSets) > 1 {
			c.statefulSets = c.statefulSets[1:]
		}
	}
	if sts == nil {
		return nil, nil, apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "statefulsets"}, name)
	}
	return sts, c.statefulPods, nil
}

// ObserveHTTPRoute finds httpRoute (nil: gone), or httpRouteErr.
func (c *fakeCluster) ObserveHTTPRoute(context.Context, release.RouteRef) (*release.HTTPRoute, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("observe httproute")
	return c.httpRoute, c.httpRouteErr
}

// ObserveDaemonSet finds daemonSet (nil: not found), with daemonPods.
func (c *fakeCluster) ObserveDaemonSet(_ context.Context, _, name string) (*appsv1.DaemonSet, []corev1.Pod, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.called("observe daemonset")
	if c.daemonSet == nil {
		return nil, nil, apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "daemonsets"}, name)
	}
	return c.daemonSet, c.daemonPods, nil
}

func (c *fakeCluster) Names() (string, string) { return "kind-prod", "prod-cluster" }
func (c *fakeCluster) Host() string            { return "https://127.0.0.1:6443" }
func (c *fakeCluster) HTTPClient() *http.Client {
	return http.DefaultClient
}

func (c *fakeCluster) ConfigMapData(context.Context, string, string) (map[string]string, error) {
	return map[string]string{"policy": "x"}, nil
}

func (c *fakeCluster) SecretValue(context.Context, string, string, string) (string, error) {
	return "s3cr3t", nil
}

// fakeLock is the lock the fake cluster hands out; it records what the run
// did with it.
type fakeLock struct {
	cluster  *fakeCluster
	holder   kube.Holder
	gaveWay  bool
	released *release.Operation
	recorded []*release.Progression
	routes   []*release.RouteRecord
	forgot   bool
	// lose ends the context Keep returned, as a lock lost to another
	// command does.
	lose context.CancelCauseFunc
}

func (l *fakeLock) Keep(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	l.lose = cancel
	return ctx, func() { cancel(nil) }
}

func (l *fakeLock) Release(_ context.Context, op release.Operation) error {
	l.cluster.mu.Lock()
	defer l.cluster.mu.Unlock()
	l.cluster.called("release")
	l.released = &op
	return nil
}

func (l *fakeLock) Check(context.Context) error {
	l.cluster.mu.Lock()
	defer l.cluster.mu.Unlock()
	l.cluster.called("checklock")
	return l.cluster.checkErr
}

func (l *fakeLock) GaveWay() bool { return l.gaveWay }

func (l *fakeLock) KeepRoute(_ context.Context, rec *release.RouteRecord) error {
	l.routes = append(l.routes, rec)
	return nil
}

func (l *fakeLock) ForgetRoute() { l.forgot = true }

func (l *fakeLock) SaveProgression(_ context.Context, p *release.Progression) error {
	l.cluster.mu.Lock()
	defer l.cluster.mu.Unlock()
	l.cluster.called("record %s", p.Phase)
	copied := *p
	l.recorded = append(l.recorded, &copied)
	return nil
}

func (l *fakeLock) Stay(context.Context, time.Time) (heldStay, error) {
	return l.stay()
}

func (l *fakeLock) Await(context.Context) (heldStay, error) {
	return l.stay()
}

func (l *fakeLock) stay() (heldStay, error) {
	l.cluster.mu.Lock()
	defer l.cluster.mu.Unlock()
	l.cluster.called("stay")
	if l.cluster.staying == nil {
		l.cluster.staying = newFakeStay()
	}
	return l.cluster.staying, nil
}

// fakeStay is a stay whose preemption and verdict the test sends.
type fakeStay struct {
	preempted chan string
	verdict   chan *release.Progression
	ended     []string
}

func newFakeStay() *fakeStay {
	return &fakeStay{preempted: make(chan string, 1), verdict: make(chan *release.Progression, 1)}
}

func (s *fakeStay) Preempted() <-chan string             { return s.preempted }
func (s *fakeStay) Verdict() <-chan *release.Progression { return s.verdict }
func (s *fakeStay) Leave()                               { s.ended = append(s.ended, "left") }
func (s *fakeStay) End(_ context.Context, gaveWay bool) error {
	s.ended = append(s.ended, "end "+strconv.FormatBool(gaveWay))
	return nil
}
func (s *fakeStay) EndRecording(_ context.Context, p *release.Progression) error {
	s.ended = append(s.ended, "end recording "+string(p.Phase))
	return nil
}

// fakePlanner plans with its functions (see planOnly for one that cannot
// recover).
type fakePlanner struct {
	verb    string
	plan    func(*plans.Snapshot) (plans.Plan, error)
	recover func(*plans.Snapshot, plans.Failure) (plans.Plan, error)
	// seen are the snapshots planned from; failures what Recover was told.
	seen     []*plans.Snapshot
	failures []plans.Failure
}

func (p *fakePlanner) Verb() string       { return p.verb }
func (p *fakePlanner) Needs() plans.Needs { return plans.Needs{} }
func (p *fakePlanner) RecoverNeeds() plans.Needs {
	return plans.Needs{Unserved: true}
}

func (p *fakePlanner) Plan(s *plans.Snapshot) (plans.Plan, error) {
	p.seen = append(p.seen, s)
	return p.plan(s)
}

func (p *fakePlanner) Recover(s *plans.Snapshot, f plans.Failure) (plans.Plan, error) {
	p.failures = append(p.failures, f)
	return p.recover(s, f)
}

// planOnly is p without its Recover: a verb with no way back.
func planOnly(p *fakePlanner) plans.Planner {
	return struct{ plans.Planner }{p}
}

// setImage plans web's image to be image: a patch from the Deployment as
// read, then a wait for its rollout; nothing when it already is.
func setImage(image string) func(*plans.Snapshot) (plans.Plan, error) {
	return func(s *plans.Snapshot) (plans.Plan, error) {
		d := s.Release.Stable.DeepCopy()
		if d.Spec.Template.Spec.Containers[0].Image == image {
			return plans.Plan{}, nil
		}
		d.Spec.Template.Spec.Containers[0].Image = image
		return plans.Plan{Notes: []string{"setting web to " + image}, Steps: []plans.Step{
			{Action: plans.Patch, Object: d, Operation: "image updated", Reason: "the new image"},
			{Action: plans.Wait, Object: d, Until: plans.RolledOut},
		}}, nil
	}
}

// undoImage recovers by setting web's image back to image.
func undoImage(image string) func(*plans.Snapshot, plans.Failure) (plans.Plan, error) {
	return func(s *plans.Snapshot, _ plans.Failure) (plans.Plan, error) {
		plan, err := setImage(image)(s)
		plan.Steps = plan.Steps[:len(plan.Steps)-min(len(plan.Steps), 1)] // no wait
		return plan, err
	}
}

// fakeNotifier keeps the types of the events it is told.
type fakeNotifier struct {
	mu     sync.Mutex
	events []notify.Event
}

func (n *fakeNotifier) Notify(e notify.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, e)
}

func (n *fakeNotifier) Flush() []string { return []string{"webhook ops: 503"} }

func (n *fakeNotifier) types() []notify.Type {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []notify.Type
	for _, e := range n.events {
		out = append(out, e.Type)
	}
	return out
}

// testRun is a run of p on release web in c, its progress kept.
func testRun(c cluster, p plans.Planner, o Options) (*run, *bytes.Buffer) {
	progress := &bytes.Buffer{}
	o.Progress = progress
	if o.DryRun == "" {
		o.DryRun = DryRunNone
	}
	if o.Gates.CheckEvery == 0 {
		o.Gates.CheckEvery = time.Millisecond
	}
	return newRun(c, Target{Namespace: "prod", Name: "web"}, p, o, func() string { return "kind-prod" }), progress
}
