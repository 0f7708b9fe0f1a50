//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
)

// podsOf lists the pods of Deployment name (selector app=name).
func podsOf(t *testing.T, ns, name string) []corev1.Pod {
	t.Helper()
	var list corev1.PodList
	getJSON(t, &list, "-n", ns, "pods", "-l", "app="+name)
	return list.Items
}

// onePod waits until Deployment name has exactly one pod with a container
// status, and cond holds for it.
func onePod(t *testing.T, ns, name, what string, cond func(p *corev1.Pod, cs *corev1.ContainerStatus) bool) corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	eventually(t, name+": "+what, func() (bool, string) {
		pods := podsOf(t, ns, name)
		if len(pods) != 1 || len(pods[0].Status.ContainerStatuses) != 1 {
			return false, fmt.Sprintf("%d pods", len(pods))
		}
		pod = pods[0]
		cs := &pod.Status.ContainerStatuses[0]
		return cond(&pod, cs), fmt.Sprintf("phase %s, ready %v, restarts %d, state %+v", pod.Status.Phase, cs.Ready, cs.RestartCount, cs.State)
	})
	return pod
}

func waitingReason(cs *corev1.ContainerStatus) string {
	if cs.State.Waiting == nil {
		return ""
	}
	return cs.State.Waiting.Reason
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// TestFaultStages shows the kwok stages of hack/cluster/kwok-fault-stages.yaml
// at work: pods of an image tagged crashloop, oomkill, pullfail or notready
// misbehave like real ones, while other tags still turn Ready quickly, and
// the built-in pod gate catches each.
func TestFaultStages(t *testing.T) {
	ns := namespace(t)
	start := time.Now()
	for _, tag := range []string{"crashloop", "oomkill", "pullfail", "notready", "1.0.0"} {
		name := "f-" + strings.ReplaceAll(tag, ".", "-")
		apply(t, ns, deployment(name, "example/web:"+tag, 1))
	}

	onePod(t, ns, "f-1-0-0", "Ready", func(_ *corev1.Pod, cs *corev1.ContainerStatus) bool { return cs.Ready })
	t.Logf("a pod of a healthy image was Ready after %s", time.Since(start).Round(100*time.Millisecond))

	crash := onePod(t, ns, "f-crashloop", "crash-looping", func(p *corev1.Pod, cs *corev1.ContainerStatus) bool {
		return p.Status.Phase == corev1.PodRunning && !cs.Ready && waitingReason(cs) == "CrashLoopBackOff" && cs.RestartCount > 0
	})
	restarts := crash.Status.ContainerStatuses[0].RestartCount
	onePod(t, ns, "f-crashloop", "restarting again", func(_ *corev1.Pod, cs *corev1.ContainerStatus) bool {
		last := cs.LastTerminationState.Terminated
		return cs.RestartCount > restarts && last != nil && last.Reason == "Error" && last.ExitCode == 1
	})
	onePod(t, ns, "f-oomkill", "OOMKilled", func(_ *corev1.Pod, cs *corev1.ContainerStatus) bool {
		last := cs.LastTerminationState.Terminated
		return waitingReason(cs) == "CrashLoopBackOff" && last != nil && last.Reason == "OOMKilled" && last.ExitCode == 137
	})
	onePod(t, ns, "f-pullfail", "backing off its pull", func(p *corev1.Pod, cs *corev1.ContainerStatus) bool {
		return p.Status.Phase == corev1.PodPending && waitingReason(cs) == "ImagePullBackOff"
	})
	onePod(t, ns, "f-notready", "running, not Ready", func(p *corev1.Pod, cs *corev1.ContainerStatus) bool {
		return p.Status.Phase == corev1.PodRunning && cs.State.Running != nil && !cs.Ready
	})

	// Give each a moment to change its mind, then judge them as the
	// progression will: one list of pods, the Deployment, a grace period.
	time.Sleep(3 * time.Second)
	for name, want := range map[string]string{
		"f-crashloop": "container f-crashloop waiting: CrashLoopBackOff (back-off 10s restarting failed container=f-crashloop)",
		"f-oomkill":   "(last: OOMKilled, exit code 137)",
		"f-pullfail":  `container f-pullfail waiting: ImagePullBackOff (Back-off pulling image "example/web:pullfail")`,
		"f-notready":  "not Ready for ",
		"f-1-0-0":     "1 canary pods healthy",
	} {
		var d appsv1.Deployment
		getJSON(t, &d, "-n", ns, "deployment", name)
		pods := podsOf(t, ns, name)
		if p := pods[0]; name == "f-pullfail" && p.Status.Phase != corev1.PodPending || name != "f-1-0-0" && podReady(&p) {
			t.Errorf("%s changed state: %+v", name, p.Status)
		}
		h := gate.PodHealth{
			Members: []gate.Member{{Role: "canary", Deployment: &d}},
			Pods:    pods, Now: time.Now(), Grace: 2 * time.Second,
			Restarts: map[string]int32{pods[0].Name + "/" + name: 1}, // as when the gate started
		}
		r := h.Check()
		if wantVerdict := map[bool]gate.Verdict{true: gate.Pass, false: gate.Fail}[name == "f-1-0-0"]; r.Verdict != wantVerdict || !strings.Contains(r.Reason, want) {
			t.Errorf("%s: %s, want %s with %q", name, r, wantVerdict, want)
		}
	}
}
