package gate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// PodsGate names the built-in pod health gate in Results.
const PodsGate = "pods"

// Member is one Deployment of a release under watch, or the pods of one
// revision of a StatefulSet, with its role as reasons name it: "canary",
// "stable", "green", "blue".
type Member struct {
	Role       string
	Deployment *appsv1.Deployment
	// StatefulSet owns the member's pods (by UID) when it has no
	// Deployment: those of Revision (their controller-revision-hash), or
	// with Revision empty those of any revision no member before it names.
	StatefulSet *appsv1.StatefulSet
	Revision    string
	// DaemonSet owns the member's pods (by UID) when it has no Deployment
	// or StatefulSet: with a Canary, those on the canary's nodes not on its
	// stable revision; without, any no member before it names.
	DaemonSet *appsv1.DaemonSet
	Canary    *release.DaemonRecord
}

// owns says whether p is one of m's pods.
func (m Member) owns(p *corev1.Pod) bool {
	ref := metav1.GetControllerOf(p)
	switch {
	case m.StatefulSet != nil:
		return ref != nil && ref.UID == m.StatefulSet.UID && (m.Revision == "" || p.Labels[release.LabelRevision] == m.Revision)
	case m.DaemonSet != nil:
		return ref != nil && ref.UID == m.DaemonSet.UID && (m.Canary == nil ||
			slices.Contains(m.Canary.Nodes, p.Spec.NodeName) && p.Labels[release.LabelRevision] != m.Canary.StableRevision)
	}
	return m.Deployment != nil && m.Deployment.Name == release.DeploymentOf(p)
}

// workload names what runs m's pods, as a reason says it.
func (m Member) workload() string {
	switch {
	case m.StatefulSet != nil:
		return fmt.Sprintf("statefulset %s on revision %s", m.StatefulSet.Name, m.Revision)
	case m.DaemonSet != nil && m.Canary != nil && len(m.Canary.Nodes) == 0:
		return fmt.Sprintf("daemonset %s (no canary recorded)", m.DaemonSet.Name)
	case m.DaemonSet != nil && m.Canary != nil:
		return fmt.Sprintf("daemonset %s on its canary's nodes (%s)", m.DaemonSet.Name, strings.Join(m.Canary.Nodes, ", "))
	case m.DaemonSet != nil:
		return "daemonset " + m.DaemonSet.Name
	}
	return "deployment " + m.Deployment.Name
}

// PodHealth is what the built-in gate judges, all of it read beforehand by
// a constant number of requests (one list of pods, the Deployments).
type PodHealth struct {
	// Members are the Deployments, the one under test first (the canary,
	// or the new color): a pod belongs to the one that owns it, through
	// its ReplicaSet, whatever labels it carries.
	Members []Member
	// Holding says the first member must have pods: a hold judges them,
	// where a wait for them to start does not.
	Holding bool
	// EveryRole, holding, says every member must have pods.
	EveryRole bool
	// Pods are the pods as one list returns them; others are ignored.
	Pods []corev1.Pod
	// Now is the time of the check; Grace how long a pod may be not Ready.
	Now   time.Time
	Grace time.Duration
	// Restarts are the restart counts when the gate started (RestartCounts):
	// a container restarting since then fails the gate.
	Restarts map[string]int32
}

// badWaiting says whether a waiting reason means the container will not
// run without someone fixing something.
func badWaiting(reason string) bool {
	switch reason {
	case "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError":
		return true
	}
	return false
}

// Check fails when a member's pod is not Ready past the grace period, has a
// container that restarted, waits for a reason in badWaiting or was
// OOMKilled, or when a member's rollout passed its progress deadline; and,
// Holding, when the member under test has no pods at all: what it did not
// see is no pass. Terminating and finished pods are left out: their
// ReplicaSet replaces them.
func (h PodHealth) Check() Result {
	var problems []string
	for _, m := range h.Members {
		if c := deploymentCondition(m.Deployment, appsv1.DeploymentProgressing); c != nil &&
			c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			problems = append(problems, fmt.Sprintf("%s deployment %s: progress deadline exceeded", m.Role, m.Deployment.Name))
		}
	}
	pods := append([]corev1.Pod(nil), h.Pods...)
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	counts := map[string]int{}
	for i := range pods {
		p := &pods[i]
		role := h.roleOf(p)
		if role == "" || p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		counts[role]++
		for _, problem := range h.podProblems(p) {
			problems = append(problems, fmt.Sprintf("%s pod %s: %s", role, p.Name, problem))
		}
	}
	var missing []string
	for i, m := range h.Members {
		if h.Holding && (i == 0 || h.EveryRole) && counts[m.Role] == 0 {
			missing = append(missing, fmt.Sprintf("no %s pods: %s runs none", m.Role, m.workload()))
		}
	}
	problems = append(missing, problems...)
	if len(problems) == 0 {
		return Result{Gate: PodsGate, Verdict: Pass, Reason: h.healthy(counts)}
	}
	reason := strings.Join(problems[:min(len(problems), 3)], "; ")
	if len(problems) > 3 {
		reason += fmt.Sprintf("; and %d more", len(problems)-3)
	}
	return Result{Gate: PodsGate, Verdict: Fail, Reason: reason}
}

// podProblems lists what is wrong with one pod, its containers in order.
func (h PodHealth) podProblems(p *corev1.Pod) []string {
	var out []string
	for _, cs := range containerStatuses(p) {
		if w := cs.State.Waiting; w != nil && badWaiting(w.Reason) {
			out = append(out, fmt.Sprintf("container %s waiting: %s%s", cs.Name, w.Reason, brief(w.Message)))
		}
		if t := cs.State.Terminated; t != nil && t.Reason == "OOMKilled" {
			out = append(out, fmt.Sprintf("container %s terminated: OOMKilled", cs.Name))
		}
		if before := h.Restarts[p.Name+"/"+cs.Name]; cs.RestartCount > before {
			msg := fmt.Sprintf("container %s restarted %d times since the gate started", cs.Name, cs.RestartCount-before)
			if t := cs.LastTerminationState.Terminated; t != nil && t.Reason != "" {
				msg += fmt.Sprintf(" (last: %s, exit code %d)", t.Reason, t.ExitCode)
			}
			out = append(out, msg)
		}
	}
	if ready := podCondition(p, corev1.PodReady); ready == nil || ready.Status != corev1.ConditionTrue {
		since := p.CreationTimestamp.Time
		if ready != nil && !ready.LastTransitionTime.IsZero() {
			since = ready.LastTransitionTime.Time
		}
		if d := h.Now.Sub(since); d > h.Grace {
			out = append(out, fmt.Sprintf("not Ready for %s (grace %s)", d.Round(time.Second), h.Grace))
		}
	}
	return out
}

// roleOf is the role of the first member that owns p, or "". Selectors
// cannot tell: the seed's stable selector (app=NAME) matches its canary's
// pods too, and a route's layout may select neither.
func (h PodHealth) roleOf(p *corev1.Pod) string {
	for _, m := range h.Members {
		if m.owns(p) {
			return m.Role
		}
	}
	return ""
}

// healthy says how many pods of each member were found healthy.
func (h PodHealth) healthy(counts map[string]int) string {
	var parts []string
	for _, m := range h.Members {
		parts = append(parts, fmt.Sprintf("%d %s", counts[m.Role], m.Role))
	}
	return strings.Join(parts, ", ") + " pods healthy"
}

// RestartCounts are the pods' restart counts by "POD/CONTAINER", init
// containers included: the baseline of PodHealth.Restarts.
func RestartCounts(pods []corev1.Pod) map[string]int32 {
	out := map[string]int32{}
	for i := range pods {
		for _, cs := range containerStatuses(&pods[i]) {
			out[pods[i].Name+"/"+cs.Name] = cs.RestartCount
		}
	}
	return out
}

// containerStatuses are p's init containers' statuses, then its containers'.
func containerStatuses(p *corev1.Pod) []corev1.ContainerStatus {
	return append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
}

func deploymentCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	if d == nil {
		return nil
	}
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// brief is a status message as a reason quotes it: " (message)", at most
// 120 bytes, or nothing.
func brief(msg string) string {
	if msg = strings.TrimSpace(msg); msg == "" {
		return ""
	}
	if len(msg) > 120 {
		msg = strings.ToValidUTF8(msg[:120], "") + "..."
	}
	return " (" + msg + ")"
}
