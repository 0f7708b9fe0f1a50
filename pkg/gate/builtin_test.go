package gate

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestStartingLeavesOutThePodsARolloutReplaces(t *testing.T) {
	// The canary ran a crash-looping image; a release that fixes it rolls
	// web-canary from ReplicaSet web-canary-0ld to web-canary-c4n4ry.
	crashing := func(name string) corev1.Pod {
		return fixture.NewPod(name, map[string]string{"app": "web", "track": "canary"}).OwnedBy("web-canary", "0ld").
			NotReady(0).Waiting("CrashLoopBackOff", "").V()
	}
	stable := []corev1.Pod{stablePod("s1").V(), stablePod("s2").V(), stablePod("s3").V()}
	old := []corev1.Pod{crashing("o1"), crashing("o2")}
	fresh := func() fixture.PodBuilder { return canaryPod("c1").Created(time.Second) }
	cases := []struct {
		name            string
		observed        int64
		updated, pods   int32
		new             []corev1.Pod
		starting, check Verdict
	}{
		{"the template not yet seen by the controller", 1, 2, 2, nil, Pass, Fail},
		{"no pod of the new ReplicaSet yet", 2, 0, 2, nil, Pass, Fail},
		{"the new ReplicaSet's pod is healthy", 2, 1, 3, []corev1.Pod{fresh().V()}, Pass, Fail},
		{"the new ReplicaSet's pod crashes", 2, 1, 3, []corev1.Pod{fresh().Waiting("CrashLoopBackOff", "").V()}, Fail, Fail},
		{"no rollout: every pod is judged", 2, 2, 2, nil, Fail, Fail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rel := webCanary(t, "", map[string]string{"app": "web"})
			canary := rel.DeploymentNamed("web-canary")
			canary.Generation, canary.Status.ObservedGeneration = 2, tc.observed
			canary.Status.UpdatedReplicas, canary.Status.Replicas = tc.updated, tc.pods
			pods := append(append(append([]corev1.Pod(nil), stable...), old...), tc.new...)
			seen := &release.Observed{Release: rel, Pods: pods, Endpoints: endpoints(0, fixture.NewEndpointSlice("web", "s1", "s2", "s3"))}
			b := &BuiltIn{Judged: "web-canary", Share: AnyShare, Grace: time.Minute}
			if got := b.Starting(seen, fixture.T0.Add(time.Second)); got.Verdict != tc.starting {
				t.Errorf("starting: got %s, want %s", got, tc.starting)
			}
			if got := b.Check(seen, fixture.T0.Add(time.Second)); got[0].Verdict != tc.check {
				t.Errorf("a hold judges every pod: got %s, want %s", got[0], tc.check)
			}
		})
	}
}
