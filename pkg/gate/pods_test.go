package gate

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func TestPodHealth(t *testing.T) {
	canary := func() *appsv1.Deployment {
		return newDeployment("web-canary", map[string]string{"app": "web", "track": "canary"})
	}
	// The usual layout: the stable selector matches the canary's pods too.
	stable := func() *appsv1.Deployment { return newDeployment("web", map[string]string{"app": "web"}) }
	for _, tc := range []struct {
		name     string
		canary   *appsv1.Deployment
		stable   *appsv1.Deployment
		pods     []corev1.Pod
		restarts map[string]int32
		verdict  Verdict
		reason   string
	}{
		{name: "all ready", pods: []corev1.Pod{canaryPod("c1").v(), stablePod("s1").v(), stablePod("s2").v()},
			verdict: Pass, reason: "1 canary, 2 stable pods healthy"},
		{name: "not ready within the grace period", pods: []corev1.Pod{canaryPod("c1").notReady(0).v()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "not ready past the grace period", pods: []corev1.Pod{canaryPod("c1").notReady(-90 * time.Second).v()},
			verdict: Fail, reason: "canary pod c1: not Ready for 2m0s (grace 1m0s)"},
		{name: "ready for long, not ready lately", pods: []corev1.Pod{canaryPod("c1").notReady(20 * time.Second).v()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "never scheduled, so no condition: counted from creation", pods: []corev1.Pod{canaryPod("c1").pending().v()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "never scheduled past the grace period", pods: []corev1.Pod{canaryPod("c1").pending().created(-time.Minute).v()},
			verdict: Fail, reason: "canary pod c1: not Ready for 1m30s (grace 1m0s)"},
		{name: "crash loop", pods: []corev1.Pod{canaryPod("c1").notReady(25*time.Second).waiting("CrashLoopBackOff", "back-off 10s restarting failed container=app").v()},
			verdict: Fail, reason: "canary pod c1: container app waiting: CrashLoopBackOff (back-off 10s restarting failed container=app)"},
		{name: "image pull back-off", pods: []corev1.Pod{canaryPod("c1").pending().waiting("ImagePullBackOff", `Back-off pulling image "example/web:nope"`).v()},
			verdict: Fail, reason: `canary pod c1: container app waiting: ImagePullBackOff (Back-off pulling image "example/web:nope")`},
		{name: "image pull error", pods: []corev1.Pod{canaryPod("c1").pending().waiting("ErrImagePull", "").v()},
			verdict: Fail, reason: "canary pod c1: container app waiting: ErrImagePull"},
		{name: "config error", pods: []corev1.Pod{canaryPod("c1").pending().waiting("CreateContainerConfigError", `secret "db" not found`).v()},
			verdict: Fail, reason: `canary pod c1: container app waiting: CreateContainerConfigError (secret "db" not found)`},
		{name: "a harmless waiting reason", pods: []corev1.Pod{canaryPod("c1").pending().waiting("ContainerCreating", "").v()},
			verdict: Pass, reason: "1 canary, 0 stable pods healthy"},
		{name: "OOMKilled", pods: []corev1.Pod{canaryPod("c1").terminated("OOMKilled", 137).v()},
			verdict: Fail, reason: "canary pod c1: container app terminated: OOMKilled"},
		{name: "restarted since the start", pods: []corev1.Pod{canaryPod("c1").restarted(3, "OOMKilled", 137).v()}, restarts: map[string]int32{"c1/app": 1},
			verdict: Fail, reason: "canary pod c1: container app restarted 2 times since the gate started (last: OOMKilled, exit code 137)"},
		{name: "restarts from before the start", pods: []corev1.Pod{stablePod("s1").restarted(4, "Error", 1).v()}, restarts: map[string]int32{"s1/app": 4},
			verdict: Pass, reason: "0 canary, 1 stable pods healthy"},
		{name: "a new pod that restarted", pods: []corev1.Pod{canaryPod("c2").restarted(1, "Error", 2).v()},
			verdict: Fail, reason: "canary pod c2: container app restarted 1 times since the gate started (last: Error, exit code 2)"},
		{name: "an init container restarted", pods: []corev1.Pod{canaryPod("c1").withInitContainer("migrate", 1).v()},
			verdict: Fail, reason: "canary pod c1: container migrate restarted 1 times since the gate started"},
		{name: "stable pods must stay healthy", pods: []corev1.Pod{canaryPod("c1").v(), stablePod("s1").waiting("CrashLoopBackOff", "").v()},
			verdict: Fail, reason: "stable pod s1: container app waiting: CrashLoopBackOff"},
		{name: "terminating and finished pods are left out", pods: []corev1.Pod{
			canaryPod("c1").waiting("CrashLoopBackOff", "").deleting().v(), stablePod("s1").phase(corev1.PodFailed).notReady(-time.Hour).v(),
			newPod("other", map[string]string{"app": "db"}).waiting("CrashLoopBackOff", "").v()},
			verdict: Pass, reason: "0 canary, 0 stable pods healthy"},
		{name: "progress deadline exceeded", canary: withProgressing(canary(), corev1.ConditionFalse, "ProgressDeadlineExceeded"),
			verdict: Fail, reason: "canary deployment web-canary: progress deadline exceeded"},
		{name: "still progressing", stable: withProgressing(stable(), corev1.ConditionTrue, "ReplicaSetUpdated"),
			verdict: Pass, reason: "0 canary, 0 stable pods healthy"},
		{name: "at most three problems, sorted by pod", pods: []corev1.Pod{
			canaryPod("c4").waiting("ErrImagePull", "").v(), canaryPod("c3").waiting("ErrImagePull", "").v(),
			canaryPod("c2").waiting("ErrImagePull", "").v(), canaryPod("c1").waiting("ErrImagePull", "").v()},
			verdict: Fail, reason: "canary pod c1: container app waiting: ErrImagePull; canary pod c2: container app waiting: ErrImagePull; " +
				"canary pod c3: container app waiting: ErrImagePull; and 1 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.canary == nil {
				tc.canary = canary()
			}
			if tc.stable == nil {
				tc.stable = stable()
			}
			h := PodHealth{
				Members: []Member{{Role: "canary", Deployment: tc.canary}, {Role: "stable", Deployment: tc.stable}},
				Pods:    tc.pods, Now: t0.Add(30 * time.Second), Grace: time.Minute, Restarts: tc.restarts,
			}
			r := h.Check()
			if r.Gate != PodsGate || r.Verdict != tc.verdict || r.Reason != tc.reason {
				t.Errorf("got %s %s %q\nwant %s %q", r.Gate, r.Verdict, r.Reason, tc.verdict, tc.reason)
			}
		})
	}
}

func TestRestartCounts(t *testing.T) {
	pods := []corev1.Pod{canaryPod("c1").restarted(2, "Error", 1).withInitContainer("init", 1).v(), stablePod("s1").v()}
	got := RestartCounts(pods)
	if len(got) != 3 || got["c1/app"] != 2 || got["c1/init"] != 1 || got["s1/app"] != 0 {
		t.Errorf("RestartCounts = %v", got)
	}
}
