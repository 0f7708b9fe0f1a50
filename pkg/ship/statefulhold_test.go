package ship

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// statefulWeb is StatefulSet web with a canary: revision web-2 on web-1.
func statefulWeb(uid string) *appsv1.StatefulSet {
	return fixture.NewStatefulSet("web").InNamespace("prod").WithImage("web:2").Rolling(1).WithUID("uid-" + uid).V()
}

// statefulWebPod is pod web-ORDINAL of sts on revision, created now, Ready
// or waiting in CrashLoopBackOff.
func statefulWebPod(sts *appsv1.StatefulSet, ordinal int, revision string, ready bool) corev1.Pod {
	now := time.Since(fixture.T0)
	b := fixture.NewStatefulPod(sts, ordinal, revision).WithContainerName("web").Created(now)
	if !ready {
		b = b.NotReady(now).Waiting("CrashLoopBackOff", "")
	}
	return b.V()
}

// statefulProgression is progression(Hold) holding StatefulSet sts.
func statefulProgression(sts *appsv1.StatefulSet) *fakePlanner {
	fp := progression(plans.Hold)
	plan := fp.plan
	fp.plan = func(s *plans.Snapshot) (plans.Plan, error) {
		p, err := plan(s)
		for i := range p.Steps {
			if p.Steps[i].Action == plans.Hold {
				p.Steps[i].Object = sts
			}
		}
		return p, err
	}
	return fp
}

// A hold of a StatefulSet's canary judges its pods by owner and revision
// and their share of the ready pods, from one read of the StatefulSet and
// its pods per check; a failure rolls back, as a StatefulSet deleted or
// made again does.
func TestHoldJudgesAStatefulSet(t *testing.T) {
	sts := statefulWeb("a")
	tests := []struct {
		name    string
		found   []*appsv1.StatefulSet
		pods    []corev1.Pod
		wantErr string
	}{
		{"a canary pod crash-looping", []*appsv1.StatefulSet{sts},
			[]corev1.Pod{statefulWebPod(sts, 0, "web-1", true), statefulWebPod(sts, 1, "web-2", false)},
			"gates failed at step 1 of 2 (25%): pods: Fail: canary pod web-1: container web waiting: CrashLoopBackOff; traffic: Fail: statefulset web 0% canary (0 of 1 ready pods), and the step 25%"},
		{"no canary pods", []*appsv1.StatefulSet{sts},
			[]corev1.Pod{statefulWebPod(sts, 0, "web-1", true)},
			"pods: Fail: no canary pods: statefulset web on revision web-2 runs none"},
		{"the StatefulSet deleted", nil, nil, "statefulset web was deleted during step 1 of 2 (25%), not by this command"},
		{"the StatefulSet made again", []*appsv1.StatefulSet{sts, statefulWeb("b")},
			[]corev1.Pod{statefulWebPod(sts, 0, "web-1", true), statefulWebPod(sts, 1, "web-2", true), statefulWebPod(sts, 2, "web-1", true), statefulWebPod(sts, 3, "web-1", true)},
			"statefulset web was deleted and made again during step 1 of 2 (25%)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeCluster()
			c.statefulSets, c.statefulPods = tc.found, tc.pods
			r, _ := testRun(c, statefulProgression(sts), Options{Wait: true, Gates: Gates{Grace: time.Hour}})
			err := r.execute(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !GateFailed(err) {
				t.Fatalf("run: %v, want a gate failure with %q", err, tc.wantErr)
			}
			if c.image != "web:1" {
				t.Errorf("not rolled back: web runs %s", c.image)
			}
			if n := c.count("observe"); n != c.count("observe statefulset") {
				t.Errorf("a StatefulSet's check read the release of Deployments: %v", c.calls)
			}
		})
	}
}
