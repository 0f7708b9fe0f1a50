package ship

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

const command = "kubectl ship set image web web=web:2"

// leaseWith is the release's Lease with annotations.
func leaseWith(annotations map[string]string) *coordinationv1.Lease {
	return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: release.LockName("web"), Namespace: "prod", Annotations: annotations}}
}

// errNothingLeft is what promote plans with no canary.
var errNothingLeft = &plans.NothingLeftError{}

// nothingLeft plans errNothingLeft.
func nothingLeft(*plans.Snapshot) (plans.Plan, error) {
	return plans.Plan{}, errNothingLeft
}

func TestRunPaths(t *testing.T) {
	timedOut := &kube.WaitError{TimedOut: true}
	cases := []struct {
		name    string
		cluster func(*fakeCluster)
		// plan is web:2 by setImage, undone to web:1, unless set.
		plan      func(*plans.Snapshot) (plans.Plan, error)
		noRecover bool
		dryRun    DryRun
		// wantErr is in the error's message; "" wants none.
		wantErr string
		wantIs  error
		// calls counts the calls that begin with each prefix.
		calls     map[string]int
		image     string
		progress  []string
		alreadyOK bool
		// recorded is the operation the lock was released with, when the
		// run took it: its Error.
		recordErr string
	}{
		{
			name:     "writes under the lock from the plan made before it, and records the operation",
			calls:    map[string]int{"readlock": 1, "load": 1, "checkaccess": 1, "lock set-image": 1, "write patch web dry=false": 1, "wait": 1, "release": 1},
			image:    "web:2",
			progress: []string{"setting web to web:2"},
		},
		{
			name: "a first segment that only waits is followed by the next, planned from a fresh read",
			plan: func() func(*plans.Snapshot) (plans.Plan, error) {
				waited := false
				return func(s *plans.Snapshot) (plans.Plan, error) {
					if waited {
						return setImage("web:2")(s)
					}
					waited = true
					return plans.Plan{Continue: true, Steps: []plans.Step{{Action: plans.Wait, Object: s.Release.Stable, Until: plans.RolledOut}}}, nil
				}
			}(),
			calls:    map[string]int{"readlock": 2, "load": 2, "wait": 2, "lock set-image": 1, "write patch web dry=false": 1, "release": 1},
			image:    "web:2",
			progress: []string{"setting web to web:2"},
		},
		{
			name:     "the lock moved once since it was read: read, planned and locked again",
			cluster:  func(c *fakeCluster) { c.lockErrs = []error{kube.ErrLockMoved} },
			calls:    map[string]int{"readlock": 2, "load": 2, "lock": 2, "write": 1, "release": 1},
			image:    "web:2",
			progress: []string{"setting web to web:2"},
		},
		{
			name:    "the lock moved three times: gives up with nothing written",
			cluster: func(c *fakeCluster) { c.lockErrs = []error{kube.ErrLockMoved, kube.ErrLockMoved, kube.ErrLockMoved} },
			wantIs:  kube.ErrLockMoved,
			wantErr: "release web is busy: another operation took the release's lock since it was read",
			calls:   map[string]int{"readlock": 3, "load": 3, "lock": 3, "write": 0, "release": 0},
			image:   "web:1",
		},
		{
			name:    "a lock refused for another reason is not tried again",
			cluster: func(c *fakeCluster) { c.lockErrs = []error{errors.New("leases is forbidden")} },
			wantErr: "leases is forbidden",
			calls:   map[string]int{"readlock": 1, "lock": 1, "write": 0},
			image:   "web:1",
		},
		{
			name: "nothing left after the same verb did it: already done, no lock",
			cluster: func(c *fakeCluster) {
				c.last = release.Operation{Verb: "set-image", Command: command, Time: metav1.NewTime(time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC))}
			},
			plan:      nothingLeft,
			alreadyOK: true,
			calls:     map[string]int{"freestale": 1, "lock": 0, "write": 0},
			progress:  []string{"release web: already done by '" + command + "' at 2026-12-07 04:00:00; nothing left to do"},
			image:     "web:1",
		},
		{
			name: "nothing left after the same verb was interrupted at its last change: already done",
			cluster: func(c *fakeCluster) {
				c.last = release.Operation{Verb: "set-image", Command: command + "\x1b[31m", Interrupted: true}
			},
			plan:      nothingLeft,
			alreadyOK: true,
			progress:  []string{"release web: the interrupted '" + command + "^[[31m' had made its last change"},
			image:     "web:1",
		},
		{
			name: "nothing left after another verb, or after the same verb failed: the refusal stands",
			cluster: func(c *fakeCluster) {
				c.last = release.Operation{Verb: "set-image", Command: command, Error: "timed out"}
			},
			plan:   nothingLeft,
			wantIs: errNothingLeft,
			calls:  map[string]int{"lock": 0},
			image:  "web:1",
		},
		{
			name:    "a plan that writes nothing takes no lock",
			cluster: func(c *fakeCluster) { c.image = "web:2" },
			calls:   map[string]int{"freestale": 1, "checkaccess": 0, "lock": 0, "write": 0, "wait": 0},
			image:   "web:2",
		},
		{
			name:     "someone else wrote web after the read: a conflict, planned again from a fresh read",
			cluster:  func(c *fakeCluster) { c.interfere = 1 },
			calls:    map[string]int{"lock": 1, "load": 2, "write patch web dry=false": 2, "wait": 1, "release": 1},
			image:    "web:2",
			progress: []string{"setting web to web:2"},
		},
		{
			name:      "a conflict on every write: gives up after the retries, the record says why",
			cluster:   func(c *fakeCluster) { c.conflictAlways = true },
			wantErr:   "the object has been modified",
			calls:     map[string]int{"lock": 1, "load": 5, "write patch web": 5, "wait": 0, "release": 1},
			image:     "web:1",
			recordErr: "the object has been modified",
		},
		{
			name: "forbidden: refused before the lock and the first write",
			cluster: func(c *fakeCluster) {
				c.accessErr = errors.New("forbidden: kubectl-ship needs \"patch\" on deployments.apps")
			},
			wantErr: "forbidden: kubectl-ship needs \"patch\" on deployments.apps",
			calls:   map[string]int{"lock": 0, "write": 0},
			image:   "web:1",
		},
		{
			name:     "a record that cannot be read is kept, and a new one started beside it",
			cluster:  func(c *fakeCluster) { c.lease = leaseWith(map[string]string{release.AnnotationHistory: "{not json"}) },
			progress: []string{"warning: the record of release web (lease " + release.LockName("web") + ") cannot be read", release.AnnotationUnreadableHistory},
			image:    "web:2",
		},
		{
			name:      "a wait that times out is undone under the same lock",
			cluster:   func(c *fakeCluster) { c.waitErrs = []error{timedOut} },
			wantErr:   "; undone: deployment.apps/web image updated",
			calls:     map[string]int{"lock": 1, "reviewaccess": 1, "checklock": 1, "load": 2, "write patch web dry=false": 2, "release": 1},
			image:     "web:1",
			recordErr: "undone: deployment.apps/web image updated",
		},
		{
			name:      "a wait that fails with no way back leaves the release where it is",
			cluster:   func(c *fakeCluster) { c.waitErrs = []error{timedOut} },
			noRecover: true,
			wantIs:    timedOut,
			calls:     map[string]int{"write": 1, "checklock": 0, "release": 1},
			image:     "web:2",
		},
		{
			name: "a wait cut short by Ctrl-C is not undone",
			cluster: func(c *fakeCluster) {
				c.waitErrs = []error{context.Canceled}
				c.afterWait = func(*fakeCluster) { cancelRun() }
			},
			wantIs: context.Canceled,
			calls:  map[string]int{"write": 1, "checklock": 0, "release": 1},
			image:  "web:2",
		},
		{
			name: "the lock taken over while it waited: nothing undone",
			cluster: func(c *fakeCluster) {
				c.waitErrs = []error{timedOut}
				c.checkErr = errors.New("the lock of release web was taken over by kubectl ship abort web")
			},
			wantErr: "; nothing undone: the lock of release web was taken over",
			calls:   map[string]int{"write": 1},
			image:   "web:2",
		},
		{
			name: "the release cannot be read to undo it: said so",
			cluster: func(c *fakeCluster) {
				c.waitErrs = []error{timedOut}
				c.loadErr, c.loadFrom = errors.New("connection refused"), 2
			},
			wantErr: "; could not read the release to undo it: connection refused",
			image:   "web:2",
		},
		{
			name: "someone else wrote web while it waited: the undo is planned again from a fresh read",
			cluster: func(c *fakeCluster) {
				c.waitErrs = []error{timedOut}
				c.afterWait = func(c *fakeCluster) { c.interfere = 1 }
			},
			wantErr: "; undone: deployment.apps/web image updated",
			calls:   map[string]int{"load": 3, "write patch web dry=false": 3},
			image:   "web:1",
		},
		{
			name: "the undo conflicts on every write: said so",
			cluster: func(c *fakeCluster) {
				c.waitErrs = []error{timedOut}
				c.afterWait = func(c *fakeCluster) { c.conflictAlways = true }
			},
			wantErr: "; could not undo it: Operation cannot be fulfilled on deployments.apps \"web\"",
			calls:   map[string]int{"load": 6, "write patch web dry=false": 6},
			image:   "web:2",
		},
		{
			name: "a plan that only waits, whose wait fails, takes the lock to undo",
			cluster: func(c *fakeCluster) {
				c.image = "web:2"
				c.waitErrs = []error{timedOut}
			},
			plan: func(s *plans.Snapshot) (plans.Plan, error) {
				return plans.Plan{Steps: []plans.Step{{Action: plans.Wait, Object: s.Release.Stable, Until: plans.RolledOut}}}, nil
			},
			wantErr: "; undone: deployment.apps/web image updated",
			calls:   map[string]int{"readlock": 2, "checkaccess": 1, "lock": 1, "write patch web dry=false": 1, "release": 1},
			image:   "web:1",
		},
		{
			name:     "a client dry run reports the plan and sends nothing",
			dryRun:   DryRunClient,
			calls:    map[string]int{"readlock": 0, "load": 1, "lock": 0, "write": 0, "wait": 0},
			image:    "web:1",
			progress: []string{"setting web to web:2"},
		},
		{
			name:   "a server dry run sends the writes with dryRun=All, takes no lock and waits for nothing",
			dryRun: DryRunServer,
			calls:  map[string]int{"lock": 0, "write patch web dry=true": 1, "wait": 0},
			image:  "web:1",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancelRun = cancel
			c := newFakeCluster()
			if tc.cluster != nil {
				tc.cluster(c)
			}
			fp := &fakePlanner{verb: "set-image", plan: setImage("web:2"), recover: undoImage("web:1")}
			if tc.plan != nil {
				fp.plan = tc.plan
				fp.recover = undoImage("web:1")
			}
			var p plans.Planner = fp
			if tc.noRecover {
				p = planOnly(fp)
			}
			r, progress := testRun(c, p, Options{DryRun: tc.dryRun, Wait: true, Command: command})
			err := r.execute(ctx)
			switch {
			case tc.wantErr == "" && tc.wantIs == nil && err != nil:
				t.Fatalf("run: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("run: error %v, want one with %q", err, tc.wantErr)
			case tc.wantIs != nil && !errors.Is(err, tc.wantIs):
				t.Fatalf("run: error %v, want %T", err, tc.wantIs)
			}
			if r.res.AlreadyDone != tc.alreadyOK {
				t.Errorf("AlreadyDone = %t, want %t", r.res.AlreadyDone, tc.alreadyOK)
			}
			for prefix, n := range tc.calls {
				if got := c.count(prefix); got != n {
					t.Errorf("%d calls %q, want %d (calls: %v)", got, prefix, n, c.calls)
				}
			}
			if c.image != tc.image {
				t.Errorf("web runs %s, want %s", c.image, tc.image)
			}
			for _, want := range tc.progress {
				if !strings.Contains(progress.String(), want) {
					t.Errorf("progress %q lacks %q", progress.String(), want)
				}
			}
			if tc.recordErr != "" && (c.lock == nil || c.lock.released == nil || !strings.Contains(c.lock.released.Error, tc.recordErr)) {
				t.Errorf("the record's operation is %+v, want its error with %q", c.lock, tc.recordErr)
			}
		})
	}
}

// cancelRun is Ctrl-C for the run under test.
var cancelRun context.CancelFunc

func TestRunRecordsTheOperation(t *testing.T) {
	c := newFakeCluster()
	n := &fakeNotifier{}
	fp := &fakePlanner{verb: "set-image", plan: setImage("web:2")}
	r, _ := testRun(c, planOnly(fp), Options{Wait: true, Command: command, Notifier: n, Fleet: &release.FleetStep{Wave: 1, Waves: 2}})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	op := c.lock.released
	switch {
	case op == nil:
		t.Fatal("the lock was not released")
	case op.Verb != "set-image" || op.Command != command || op.User != "alice" || op.Error != "":
		t.Errorf("recorded %+v", op)
	case strings.Join(op.Changes, ",") != "deployment.apps/web image updated":
		t.Errorf("recorded changes %q", op.Changes)
	case op.Fleet == nil || op.Fleet.Wave != 1:
		t.Errorf("recorded fleet step %+v", op.Fleet)
	case strings.Join(op.Warnings, ",") != "webhook ops: 503":
		t.Errorf("recorded warnings %q, want the notifier's", op.Warnings)
	}
	if got := n.types(); len(got) != 1 || got[0] != notify.Started {
		t.Errorf("told %v, want only started", got)
	}
	if h := c.lock.holder; h.User != "alice" || h.Command != command || h.Verb != "set-image" {
		t.Errorf("locked as %+v", h)
	}
	if len(r.res.Changes) != 1 || r.res.Changes[0].Object.GetObjectKind().GroupVersionKind().Kind != "Deployment" {
		t.Errorf("result %+v, want web's patch with its kind set for printing", r.res.Changes)
	}
}

func TestRunPlansFromTheProgressionRecorded(t *testing.T) {
	c := newFakeCluster()
	recorded := &release.Progression{Images: []string{"web=web:2"}, Steps: []string{"25", "50"}, Step: 1, Phase: release.ProgressionRunning}
	c.lease = leaseWith(map[string]string{release.AnnotationProgression: recorded.Encode()})
	fp := &fakePlanner{verb: "canary", plan: setImage("web:2")}
	r, _ := testRun(c, planOnly(fp), Options{})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fp.seen[0].Progression; got == nil || got.Step != 1 || got.Phase != release.ProgressionRunning {
		t.Errorf("planned from progression %+v, want the one the lock records (step 2)", got)
	}
}

// TestRunSegments runs a progression of two segments: each planned from a
// fresh read, each progression recorded, the end said by whom.
func TestRunSegments(t *testing.T) {
	c := newFakeCluster()
	n := &fakeNotifier{}
	p := &release.Progression{Images: []string{"web=web:2"}, Steps: []string{"50"}, Phase: release.ProgressionRunning}
	fp := &fakePlanner{verb: "canary", plan: func(s *plans.Snapshot) (plans.Plan, error) {
		plan, err := setImage("web:2")(s)
		if len(plan.Steps) > 0 {
			plan.Progression, plan.Continue = p, true
			return plan, err
		}
		done := *p
		done.Phase = release.ProgressionPromoted
		return plans.Plan{Progression: &done}, err
	}}
	r, _ := testRun(c, planOnly(fp), Options{Command: "kubectl ship canary web", Notifier: n})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(fp.seen) != 2 || fp.seen[1].Release.Stable.ResourceVersion != "2" {
		t.Fatalf("planned %d times, want the second segment from a fresh read", len(fp.seen))
	}
	got := c.lock.recorded
	if len(got) != 2 || got[0].Phase != release.ProgressionRunning || got[1].Phase != release.ProgressionPromoted {
		t.Fatalf("recorded %v, want running then promoted", got)
	}
	if got[1].EndedBy != "kubectl ship canary web (alice)" {
		t.Errorf("ended by %q", got[1].EndedBy)
	}
	if types := n.types(); len(types) != 2 || types[1] != notify.Promoted {
		t.Errorf("told %v, want started, promoted", types)
	}
}

func TestRunRehearsesWhatItCannotValidate(t *testing.T) {
	c := newFakeCluster()
	fp := &fakePlanner{verb: "canary", plan: func(s *plans.Snapshot) (plans.Plan, error) {
		plan, err := setImage("web:2")(s)
		route := leaseWith(nil) // any kind ship does not validate itself
		plan.Steps = append([]plans.Step{{Action: plans.Create, Object: route, Operation: "created"}}, plan.Steps...)
		return plan, err
	}}
	r, _ := testRun(c, planOnly(fp), Options{})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"write create *v1.Lease dry=true", "write create *v1.Lease dry=false", "write patch web dry=false"}
	var writes []string
	for _, call := range c.calls {
		if strings.HasPrefix(call, "write") {
			writes = append(writes, call)
		}
	}
	if strings.Join(writes, "; ") != strings.Join(want, "; ") {
		t.Errorf("writes %q, want %q", writes, want)
	}
}

func TestRunFailsWhenTheLockIsLost(t *testing.T) {
	c := newFakeCluster()
	lost := errors.New("the lock of release web was lost")
	c.afterWait = func(c *fakeCluster) { c.lock.lose(lost) }
	c.waitErrs = []error{context.Canceled}
	fp := &fakePlanner{verb: "set-image", plan: setImage("web:2")}
	r, _ := testRun(c, planOnly(fp), Options{Wait: true})
	err := r.execute(context.Background())
	if !errors.Is(err, lost) {
		t.Fatalf("run: %v, want the lost lock", err)
	}
	if c.lock.released == nil || c.lock.released.Error != lost.Error() {
		t.Errorf("released with %+v", c.lock.released)
	}
}

// TestRunKeepsTheRouteRecord: the way back of a route a plan changes is
// kept in the record under the lock before the plan's writes, and
// forgotten once a plan put the route back.
func TestRunKeepsTheRouteRecord(t *testing.T) {
	c := newFakeCluster()
	rec := &release.RouteRecord{}
	fp := &fakePlanner{verb: "abort", plan: func(s *plans.Snapshot) (plans.Plan, error) {
		plan, err := setImage("web:2")(s)
		plan.Route, plan.RouteRestored = rec, true
		return plan, err
	}}
	r, _ := testRun(c, planOnly(fp), Options{})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(c.lock.routes) != 1 || c.lock.routes[0] != rec || !c.lock.forgot {
		t.Errorf("kept %v, forgot %t: want the route kept, then forgotten", c.lock.routes, c.lock.forgot)
	}
	if r.routeRecord != nil {
		t.Error("the run still plans from the route's way back it put back")
	}
}
