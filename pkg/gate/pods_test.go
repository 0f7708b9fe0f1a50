package gate

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func TestPodHealth(t *testing.T) {
	canary := func() fixture.DeploymentBuilder {
		return fixture.NewDeployment("web-canary").WithSelector(map[string]string{"app": "web", "track": "canary"})
	}
	// The usual layout: the stable selector matches the canary's pods too.
	stable := func() fixture.DeploymentBuilder { return fixture.NewDeployment("web") }
	for _, tc := range []struct {
		name     string
		canary   *appsv1.Deployment
		stable   *appsv1.Deployment
		pods     []corev1.Pod
		restarts map[string]int32
		verdict  Verdict
		reason   string
	}{
		{name: "all ready", pods: []corev1.Pod{canaryPod("c1").V(), stablePod("s1").V(), stablePod("s2").V()},
			verdict: Pass, reason: "1 canary, 2 stable pods healthy"},
		{name: "not ready within the grace period", pods: []corev1.Pod{canaryPod("c1").NotReady(0).V()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "not ready past the grace period", pods: []corev1.Pod{canaryPod("c1").NotReady(-90 * time.Second).V()},
			verdict: Fail, reason: "canary pod c1: not Ready for 2m0s (grace 1m0s)"},
		{name: "ready for long, not ready lately", pods: []corev1.Pod{canaryPod("c1").NotReady(20 * time.Second).V()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "never scheduled, so no condition: counted from creation", pods: []corev1.Pod{canaryPod("c1").Pending().V()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "never scheduled past the grace period", pods: []corev1.Pod{canaryPod("c1").Pending().Created(-time.Minute).V()},
			verdict: Fail, reason: "canary pod c1: not Ready for 1m30s (grace 1m0s)"},
		{name: "crash loop", pods: []corev1.Pod{canaryPod("c1").NotReady(25*time.Second).Waiting("CrashLoopBackOff", "back-off 10s restarting failed container=app").V()},
			verdict: Fail, reason: "canary pod c1: container app waiting: CrashLoopBackOff (back-off 10s restarting failed container=app)"},
		{name: "image pull back-off", pods: []corev1.Pod{canaryPod("c1").Pending().Waiting("ImagePullBackOff", `Back-off pulling image "example/web:nope"`).V()},
			verdict: Fail, reason: `canary pod c1: container app waiting: ImagePullBackOff (Back-off pulling image "example/web:nope")`},
		{name: "image pull error", pods: []corev1.Pod{canaryPod("c1").Pending().Waiting("ErrImagePull", "").V()},
			verdict: Fail, reason: "canary pod c1: container app waiting: ErrImagePull"},
		{name: "config error", pods: []corev1.Pod{canaryPod("c1").Pending().Waiting("CreateContainerConfigError", `secret "db" not found`).V()},
			verdict: Fail, reason: `canary pod c1: container app waiting: CreateContainerConfigError (secret "db" not found)`},
		{name: "a harmless waiting reason", pods: []corev1.Pod{canaryPod("c1").Pending().Waiting("ContainerCreating", "").V()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "OOMKilled", pods: []corev1.Pod{canaryPod("c1").Terminated("OOMKilled", 137).V()},
			verdict: Fail, reason: "canary pod c1: container app terminated: OOMKilled"},
		{name: "restarted since the start", pods: []corev1.Pod{canaryPod("c1").Restarted(3, "OOMKilled", 137).V()}, restarts: map[string]int32{"c1/app": 1},
			verdict: Fail, reason: "canary pod c1: container app restarted 2 times since the gate started (last: OOMKilled, exit code 137)"},
		{name: "restarts from before the start", pods: []corev1.Pod{stablePod("s1").Restarted(4, "Error", 1).V()}, restarts: map[string]int32{"s1/app": 4},
			verdict: Pass, reason: "0 canary, 1 stable pods healthy"},
		{name: "a new pod that restarted", pods: []corev1.Pod{canaryPod("c2").Restarted(1, "Error", 2).V()},
			verdict: Fail, reason: "canary pod c2: container app restarted 1 times since the gate started (last: Error, exit code 2)"},
		{name: "an init container restarted", pods: []corev1.Pod{canaryPod("c1").WithInitContainer("migrate", 1).V()},
			verdict: Fail, reason: "canary pod c1: container migrate restarted 1 times since the gate started"},
		{name: "stable pods must stay healthy", pods: []corev1.Pod{canaryPod("c1").V(), stablePod("s1").Waiting("CrashLoopBackOff", "").V()},
			verdict: Fail, reason: "stable pod s1: container app waiting: CrashLoopBackOff"},
		{name: "terminating and finished pods are left out", pods: []corev1.Pod{
			canaryPod("c1").Waiting("CrashLoopBackOff", "").Deleting().V(), stablePod("s1").Phase(corev1.PodFailed).NotReady(-time.Hour).V(),
			fixture.NewPod("other", map[string]string{"app": "db"}).Waiting("CrashLoopBackOff", "").V()},
			verdict: Pass, reason: "0 canary, 0 stable pods healthy"},
		{name: "progress deadline exceeded", canary: canary().WithProgressing(corev1.ConditionFalse, "ProgressDeadlineExceeded").V(),
			verdict: Fail, reason: "canary deployment web-canary: progress deadline exceeded"},
		{name: "still progressing", stable: stable().WithProgressing(corev1.ConditionTrue, "ReplicaSetUpdated").V(),
			verdict: Pass, reason: "0 canary, 0 stable pods healthy"},
		{name: "at most three problems, sorted by pod", pods: []corev1.Pod{
			canaryPod("c4").Waiting("ErrImagePull", "").V(), canaryPod("c3").Waiting("ErrImagePull", "").V(),
			canaryPod("c2").Waiting("ErrImagePull", "").V(), canaryPod("c1").Waiting("ErrImagePull", "").V()},
			verdict: Fail, reason: "canary pod c1: container app waiting: ErrImagePull; canary pod c2: container app waiting: ErrImagePull; " +
				"canary pod c3: container app waiting: ErrImagePull; and 1 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.canary == nil {
				tc.canary = canary().V()
			}
			if tc.stable == nil {
				tc.stable = stable().V()
			}
			h := PodHealth{
				Members: []Member{{Role: "canary", Deployment: tc.canary}, {Role: "stable", Deployment: tc.stable}},
				Pods:    tc.pods, Now: fixture.T0.Add(30 * time.Second), Grace: time.Minute, Restarts: tc.restarts,
			}
			r := h.Check()
			if r.Gate != PodsGate || r.Verdict != tc.verdict || r.Reason != tc.reason {
				t.Errorf("got %s %s %q\nwant %s %q", r.Gate, r.Verdict, r.Reason, tc.verdict, tc.reason)
			}
		})
	}
}

func TestRestartCounts(t *testing.T) {
	pods := []corev1.Pod{canaryPod("c1").Restarted(2, "Error", 1).WithInitContainer("init", 1).V(), stablePod("s1").V()}
	got := RestartCounts(pods)
	if len(got) != 3 || got["c1/app"] != 2 || got["c1/init"] != 1 || got["s1/app"] != 0 {
		t.Errorf("RestartCounts = %v", got)
	}
}
