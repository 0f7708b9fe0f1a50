package ship

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// TestRefusal is what a fleet asks every cluster before its first write:
// the error the operation would stop on, or nil, with nothing written.
func TestRefusal(t *testing.T) {
	badImage := errors.New(`image "web:" is not a valid reference`)
	cases := []struct {
		name    string
		lease   map[string]string
		plan    func(*plans.Snapshot) (plans.Plan, error)
		wantErr error
	}{
		{name: "a plan that writes: no refusal", plan: setImage("web:2")},
		{name: "a plan refused: its error", plan: func(*plans.Snapshot) (plans.Plan, error) { return plans.Plan{}, badImage }, wantErr: badImage},
		{name: "nothing left and no record: refused", plan: nothingLeft, wantErr: errNothingLeft},
		{
			name:  "nothing left after the same verb: already done, no refusal",
			lease: map[string]string{release.AnnotationHistory: encodeOps(t, release.Operation{Verb: "set-image", Command: command})},
			plan:  nothingLeft,
		},
		{
			name:    "nothing left after another verb: refused",
			lease:   map[string]string{release.AnnotationHistory: encodeOps(t, release.Operation{Verb: "abort", Command: "kubectl ship abort web"})},
			plan:    nothingLeft,
			wantErr: errNothingLeft,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeCluster()
			if tc.lease != nil {
				c.lease = leaseWith(tc.lease)
			}
			err := refusal(context.Background(), c, Target{Namespace: "prod", Name: "web"}, &fakePlanner{verb: "set-image", plan: tc.plan})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("refusal: %v, want %v", err, tc.wantErr)
			}
			if c.count("write") != 0 || c.count("lock") != 0 {
				t.Errorf("a refusal wrote: %v", c.calls)
			}
		})
	}
}

// encodeOps is a record of ops, as a lock keeps it.
func encodeOps(t *testing.T, ops ...release.Operation) string {
	t.Helper()
	raw := ""
	for _, op := range ops {
		var err error
		if raw, _, err = release.AppendOperation(raw, op); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// TestResolve makes the run's planner from the policy its Deployment
// carries, once, before any write, reading what the policy names.
func TestResolve(t *testing.T) {
	c := newFakeCluster()
	n := &fakeNotifier{}
	byPolicy := &fakePlanner{verb: "canary", plan: setImage("web:3")}
	resolves := 0
	resolve := func(ctx context.Context, kind string, d metav1.Object, r Reader) (Resolved, error) {
		resolves++
		data, err := r.ConfigMapData(ctx, "ship-policy")
		if err != nil {
			return Resolved{}, err
		}
		secret, err := r.SecretValue(ctx, "hooks", "token")
		if err != nil || data["policy"] == "" || secret == "" || kind != "deployment" || d.GetName() != "web" {
			return Resolved{}, errors.New("the policy was not read")
		}
		return Resolved{Planner: planOnly(byPolicy), Notifier: n}, nil
	}
	r, _ := testRun(c, planOnly(&fakePlanner{verb: "canary", plan: setImage("web:2")}), Options{Resolve: resolve})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.image != "web:3" || resolves != 1 || len(byPolicy.seen) != 1 {
		t.Errorf("web runs %s after %d resolves, want the policy's planner's web:3 after one", c.image, resolves)
	}
	if len(n.types()) == 0 {
		t.Error("the policy's notifier was not told")
	}
}

// TestResolveEachKind hands the Resolver the workload the run read and its
// kind: a StatefulSet's and a DaemonSet's policies are followed as a
// Deployment's.
func TestResolveEachKind(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "web", Namespace: "default"}
	snaps := map[string]*plans.Snapshot{
		release.KindStatefulSet: {StatefulSet: &appsv1.StatefulSet{ObjectMeta: meta}},
		release.KindDaemonSet:   {DaemonSet: &appsv1.DaemonSet{ObjectMeta: meta}},
	}
	for want, snap := range snaps {
		byPolicy := planOnly(&fakePlanner{verb: "canary"})
		var got string
		resolve := func(_ context.Context, kind string, w metav1.Object, _ Reader) (Resolved, error) {
			got = kind + "/" + w.GetName()
			return Resolved{Planner: byPolicy}, nil
		}
		r, _ := testRun(newFakeCluster(), planOnly(&fakePlanner{verb: "canary"}), Options{Resolve: resolve})
		if _, err := r.resolve(context.Background(), snap); err != nil {
			t.Fatal(err)
		}
		if got != want+"/web" || r.p != byPolicy {
			t.Errorf("resolved %q, want %s/web, and the policy's planner", got, want)
		}
	}
}

// TestDescribeGates: a client dry run of a plan that holds says what each
// hold would check.
func TestDescribeGates(t *testing.T) {
	c := newFakeCluster()
	r, progress := testRun(c, progression(plans.Hold), Options{DryRun: DryRunClient})
	if err := r.execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := "step 1: every 1ms, gate pods (built in)\n"; !strings.Contains(progress.String(), want) {
		t.Errorf("progress %q lacks %q", progress, want)
	}
	if c.count("write") != 0 || c.count("observe") != 0 {
		t.Errorf("a client dry run sent %v", c.calls)
	}
}
