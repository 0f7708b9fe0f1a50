//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// breakPods makes every pod of ns that selector picks crash-loop after it
// was Ready, as a kubelet reports it: not Ready, its container restarted
// and waiting in CrashLoopBackOff. kwok leaves a status so written as it is.
func breakPods(t *testing.T, ns, selector string) {
	t.Helper()
	patchPods(t, ns, selector, func(p *corev1.Pod) {
		unready(p)
		now := metav1.Now()
		for j := range p.Status.ContainerStatuses {
			cs := &p.Status.ContainerStatuses[j]
			cs.Ready, cs.Started, cs.RestartCount = false, new(bool), cs.RestartCount+1
			cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: now}}
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 10s restarting failed container"}}
		}
	})
}

// unready makes a pod's status say it is not Ready (a failing readiness
// probe): its containers still run.
func unready(p *corev1.Pod) {
	now := metav1.Now()
	for j := range p.Status.Conditions {
		if c := &p.Status.Conditions[j]; c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			c.Status, c.Reason, c.LastTransitionTime = corev1.ConditionFalse, "ContainersNotReady", now
		}
	}
	for j := range p.Status.ContainerStatuses {
		p.Status.ContainerStatuses[j].Ready = false
	}
}

// patchPods writes change into the status of every pod of ns that selector
// picks, as a kubelet would.
func patchPods(t *testing.T, ns, selector string, change func(*corev1.Pod)) {
	t.Helper()
	ctx := context.Background()
	pods, err := apiClient(t).CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("pods %s: %v (%d)", selector, err, len(pods.Items))
	}
	for i := range pods.Items {
		patchPod(t, &pods.Items[i], change)
	}
}

// patchPod writes change into p's status, as a kubelet would.
func patchPod(t *testing.T, p *corev1.Pod, change func(*corev1.Pod)) {
	t.Helper()
	change(p)
	if _, err := apiClient(t).CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("pod %s's status: %v", p.Name, err)
	}
}

// holdAndBreak starts args (a command that holds), then, once it holds,
// breaks the pods selector picks, and returns how the command ended.
func holdAndBreak(t *testing.T, ns string, args []string, selector string) result {
	t.Helper()
	run := startHolding(t, ns, args)
	breakPods(t, ns, selector)
	return run.wait(t)
}

// The built-in gate judges the pods of the role under test, found by
// owner, whatever the Services select: through an HTTPRoute or
// ingress-nginx the user's Service selects only the stable pods, and a
// green is selected by none until the switch. A pod that breaks during the
// hold fails it, and the release goes back as it was.
func TestGatesJudgeThePodsOfTheRole(t *testing.T) {
	t.Run("canary through an HTTPRoute", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		apply(t, ns, trackService+"---\n"+httpRoute("ctwoc", "ctwoc"))
		before := routeSpec(t, ns, "ctwoc")
		res := holdAndBreak(t, ns, progress("--steps", "10,50", "--interval", "30s"), "track=canary")
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: canary pod ctwoc-canary-") || !strings.Contains(res.stderr, "CrashLoopBackOff") {
			t.Errorf("want exit 4, the canary pod named:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if after := routeSpec(t, ns, "ctwoc"); after != before {
			t.Errorf("the route's spec differs:\n got %s\nwant %s", after, before)
		}
		assertAborted(t, ns)
	})
	t.Run("canary through ingress-nginx", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{})
		apply(t, ns, trackService+"---\n"+userIngress)
		res := holdAndBreak(t, ns, progress("--steps", "10,50", "--interval", "30s", "--route", "ingress/ctwoc"), "track=canary")
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: canary pod ctwoc-canary-") {
			t.Errorf("want exit 4, the canary pod named:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if got := kubectl(t, "get", "-n", ns, "ingress", "ctwoc-canary"); got.code == 0 {
			t.Errorf("the canary Ingress should be gone:\n%s", got.stdout)
		}
		assertAborted(t, ns)
	})
	t.Run("bluegreen --verify-for", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{versioned: true})
		res := holdAndBreak(t, ns, []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--verify-for", "30s", "--check-every", "1s"}, "kubectl-ship.dev/color=green")
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: green pod ctwoc-green-") {
			t.Errorf("want exit 4, the green pod named:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3})
	})
	// Not Ready within --ready-grace passes a hold, but the next step will
	// not send more traffic to a color that is not ready: the switch goes
	// back, exit 4, rather than stop half way.
	t.Run("bluegreen-switch --steps, green not ready at the next step", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{versioned: true})
		apply(t, ns, httpRoute("ctwoc", "ctwoc"))
		before := routeSpec(t, ns, "ctwoc")
		mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
		run := startHolding(t, ns, []string{"ship", "bluegreen-switch", "ctwoc", "--steps", "10,50", "--interval", "6s", "--check-every", "1s"})
		green, err := apiClient(t).CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "kubectl-ship.dev/color=green"})
		if err != nil || len(green.Items) == 0 {
			t.Fatalf("green's pods: %v", err)
		}
		patchPod(t, &green.Items[0], unready) // one of three
		res := run.wait(t)
		if res.code != 4 || !strings.Contains(res.stderr, "the next step cannot be taken: green is not ready") {
			t.Errorf("want exit 4, the next step refused:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if after := routeSpec(t, ns, "ctwoc"); after != before {
			t.Errorf("the route's spec differs:\n got %s\nwant %s", after, before)
		}
	})
	t.Run("bluegreen-switch --steps through an HTTPRoute", func(t *testing.T) {
		t.Parallel()
		ns := seedRelease(t, seed{versioned: true})
		apply(t, ns, httpRoute("ctwoc", "ctwoc"))
		before := routeSpec(t, ns, "ctwoc")
		mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
		res := holdAndBreak(t, ns, bgSwitch("--steps", "10,50", "--interval", "30s"), "kubectl-ship.dev/color=green")
		if res.code != 4 || !strings.Contains(res.stderr, "pods: Fail: green pod ctwoc-green-") {
			t.Errorf("want exit 4, the green pod named:\nexit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if after := routeSpec(t, ns, "ctwoc"); after != before {
			t.Errorf("the route's spec differs:\n got %s\nwant %s", after, before)
		}
	})
}

// assertAborted checks that the canary and ship's Services are gone, the
// Service serves the stable pods alone and the record says RolledBack.
func assertAborted(t *testing.T, ns string) {
	t.Helper()
	if view, _ := settledState(t, ns, fmt.Sprint(map[string]int{v1: 3})); strings.Contains(view, "ctwoc-canary") || strings.Contains(view, "ctwoc-stable") {
		t.Errorf("the canary and ship's Services should be gone:\n%s", view)
	}
	if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "RolledBack" {
		t.Errorf("status: %+v", st.Progression)
	}
	if holder := lockHolder(t, ns, "ctwoc"); holder != "" {
		t.Errorf("the lock is still held by %s", holder)
	}
}

// What a person does during a hold is a decision, not noise: a canary
// deleted by hand ends the progression as an abort would (never made
// again); a canary scaled past its step, or a Service that no longer
// selects anything, fails the check at once.
func TestHoldSeesWhatPeopleDo(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		act          func(t *testing.T, ns string)
	}{
		{"the canary deleted", "deployment ctwoc-canary was deleted during step 1 of 2 (25%), not by this command",
			func(t *testing.T, ns string) {
				mustKubectl(t, "delete", "-n", ns, "deployment", "ctwoc-canary", "--wait=false")
			}},
		{"the canary scaled past its step", "of its ready endpoints to the canary (",
			func(t *testing.T, ns string) {
				mustKubectl(t, "scale", "-n", ns, "deployment", "ctwoc-canary", "--replicas", "5")
			}},
		{"the Service selecting nothing", "service ctwoc has no ready endpoints",
			func(t *testing.T, ns string) {
				mustKubectl(t, "patch", "-n", ns, "service", "ctwoc", "-p", `{"spec":{"selector":{"app":"nothing"}}}`)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ns := seedRelease(t, seed{})
			run := startHolding(t, ns, progress("--interval", "60s"))
			tc.act(t, ns)
			res := run.wait(t)
			if res.code != 4 || !strings.Contains(lastLine(res.stderr), tc.reason) || !strings.HasPrefix(lastLine(res.stderr), "error: ") {
				t.Errorf("want exit 4 and one line saying %q:\nexit %d\n%s%s", tc.reason, res.code, res.stdout, res.stderr)
			}
			if strings.Count(res.stdout, "deployment.apps/ctwoc-canary created") != 1 {
				t.Errorf("the canary must be made once, never again:\n%s", res.stdout)
			}
			if got := kubectl(t, "get", "-n", ns, "deployment", "ctwoc-canary"); got.code == 0 {
				t.Errorf("the canary should be gone:\n%s", got.stdout)
			}
			// The Service as it was, for status to find the release again.
			mustKubectl(t, "patch", "-n", ns, "service", "ctwoc", "-p", `{"spec":{"selector":{"app":"ctwoc"}}}`)
			if st := shipStatus(t, ns, "ctwoc"); st.Progression.Phase != "RolledBack" || !strings.Contains(st.Progression.Reason, tc.reason) {
				t.Errorf("status: %+v", st.Progression)
			}
		})
	}
}

// lastLine is the last line of out.
func lastLine(out string) string {
	out = strings.TrimRight(out, "\n")
	return out[strings.LastIndexByte(out, '\n')+1:]
}

// A check of a hold reads the release once, whatever its pods: its
// Deployments and Services, then at once its pods (one list, by the labels
// its Deployments' selectors share), the EndpointSlices of its Services
// and, through a route, its route; and records the check in the lock.
// Never a request per pod. TestRequestBudgets-style: the counts are exact.
func TestGateCheckRequests(t *testing.T) {
	perCheck := func(t *testing.T, ns string, args ...string) (checks int, each map[string]int) {
		t.Helper()
		res := mustRun(t, ns, append([]string{"ship", "-v=6"}, args...))
		requests := requestlog.Parse(res.stderr, ns)
		each = map[string]int{}
		for _, r := range requests {
			switch {
			case r.Kind == "GET" && strings.Contains(r.Path, "/pods/"):
				t.Errorf("a request for one pod: %s", r.Path)
			case r.Kind == "LIST" && strings.Contains(r.Path, "/endpointslices?labelSelector=kubernetes.io%2Fservice-name+in+"):
				checks++ // one per check: of the hold, and those watching the wait before it
			}
		}
		for _, r := range requests {
			if r.Kind == "LIST" {
				each[strings.Split(r.Path, "?")[0]]++
			}
		}
		return checks, each
	}
	// The same progression at 3 and at 30 stable pods: the lists the
	// checks make grow with the checks, never with the pods.
	counted := map[int]string{}
	for _, pods := range []int{3, 30} {
		ns := seedRelease(t, seed{rolledOut: true})
		if pods != 3 {
			mustKubectl(t, "scale", "-n", ns, "deployment/ctwoc", fmt.Sprintf("--replicas=%d", pods))
			mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=120s")
		}
		checks, each := perCheck(t, ns, "canary", "ctwoc", "--image", v2, "--steps", "50", "--interval", "3s", "--check-every", "1s", "--no-promote")
		if checks == 0 || each["/api/v1/namespaces/NS/pods"] != checks {
			t.Errorf("%d pods: %d checks, %d lists of pods: want one each", pods, checks, each["/api/v1/namespaces/NS/pods"])
		}
		// Beyond the checks' own, the planning reads: each list of
		// Deployments and Services is made twice more (before the step and
		// after it), the EndpointSlices never. A check of the wait that the
		// wait's end cuts short has listed the Deployments, or also the
		// Services, and no more: one such read at most.
		deployments, services := each["/apis/apps/v1/namespaces/NS/deployments"]-2, each["/api/v1/namespaces/NS/services"]-2
		counted[pods] = fmt.Sprintf("deployments %d, services %d, pods %d, endpointslices %d per %d checks",
			deployments, services, each["/api/v1/namespaces/NS/pods"], each["/apis/discovery.k8s.io/v1/namespaces/NS/endpointslices"], checks)
		if cut := deployments - checks; cut < 0 || cut > 1 || services < checks || services > deployments ||
			each["/apis/discovery.k8s.io/v1/namespaces/NS/endpointslices"] != checks {
			t.Errorf("%d pods: %s, want %[3]d of each, and at most one more of deployments and services", pods, counted[pods], checks)
		}
	}
	t.Logf("4 lists per check at 3 pods (%s) and at 30 (%s)", counted[3], counted[30])
}
