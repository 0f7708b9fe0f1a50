package gate

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// DaemonBuiltIn are the built-in gates of a DaemonSet's release, from one
// read of the DaemonSet and one list of its pods. While a canary runs, the
// canary is its pods on the canary's nodes that left the stable revision,
// told apart by their controller's UID, their node and their
// controller-revision-hash, never by labels; every other pod it controls
// is stable. Without a canary, all its pods are judged as one.
type DaemonBuiltIn struct {
	// Grace is how long a pod may be not Ready.
	Grace time.Duration
	// Restarts is the restart baseline, taken at the first check.
	Restarts map[string]int32
	// Actual is the canary's share of the ready pods the last Check saw.
	Actual float64
}

// Check judges ds and its pods at now: the pods gate, then the traffic
// gate (some pod of ds must be ready).
func (b *DaemonBuiltIn) Check(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) []Result {
	health, err := b.health(ds, pods, now)
	if err != nil {
		return []Result{{Gate: PodsGate, Verdict: Fail, Reason: err.Error()}, {Gate: TrafficGate, Verdict: Fail, Reason: err.Error()}}
	}
	health.Holding = true
	return []Result{health.Check(), b.traffic(ds, health)}
}

// Starting judges the pods while the canary's start: what a hold would
// fail on, but not the lack of canary pods yet.
func (b *DaemonBuiltIn) Starting(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) Result {
	health, err := b.health(ds, pods, now)
	if err != nil {
		return Result{Gate: PodsGate, Verdict: Fail, Reason: err.Error()}
	}
	return health.Check()
}

func (b *DaemonBuiltIn) health(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) (PodHealth, error) {
	members, err := daemonMembers(ds)
	if b.Restarts == nil {
		b.Restarts = RestartCounts(pods)
	}
	return PodHealth{Members: members, Pods: pods, Now: now, Grace: b.Grace, Restarts: b.Restarts}, err
}

// daemonMembers are ds's canary and stable pods as its canary's record
// says, or (no canary) all of them as stable.
func daemonMembers(ds *appsv1.DaemonSet) ([]Member, error) {
	rec, err := release.DaemonCanary(ds)
	if err != nil {
		return nil, err
	}
	controlled := func(p *corev1.Pod) bool {
		ref := metav1.GetControllerOf(p)
		return ref != nil && ref.UID == ds.UID
	}
	all := Member{Role: release.RoleStable, Picks: controlled, Workload: "daemonset " + ds.Name}
	if rec == nil {
		return []Member{all}, nil
	}
	nodes := sets.New(rec.Nodes...)
	canary := Member{Role: release.RoleCanary, Workload: fmt.Sprintf("daemonset %s on nodes %s", ds.Name, strings.Join(rec.Nodes, ",")),
		Picks: func(p *corev1.Pod) bool {
			return controlled(p) && nodes.Has(p.Spec.NodeName) && p.Labels[release.LabelRevision] != rec.StableRevision
		}}
	return []Member{canary, all}, nil
}

// traffic fails when no pod of ds is ready: its nodes have no agent.
func (b *DaemonBuiltIn) traffic(ds *appsv1.DaemonSet, health PodHealth) Result {
	ready := map[string]int{}
	for i := range health.Pods {
		if role := health.roleOf(&health.Pods[i]); role != "" && release.PodReady(&health.Pods[i]) {
			ready[role]++
		}
	}
	total := ready[release.RoleCanary] + ready[release.RoleStable]
	b.Actual = 0
	if total == 0 {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: fmt.Sprintf("daemonset %s has no ready pods", ds.Name)}
	}
	b.Actual = 100 * float64(ready[release.RoleCanary]) / float64(total)
	if len(health.Members) == 1 {
		return Result{Gate: TrafficGate, Verdict: Pass, Reason: fmt.Sprintf("daemonset %s: %d ready pods", ds.Name, total)}
	}
	return Result{Gate: TrafficGate, Verdict: Pass, Reason: fmt.Sprintf("daemonset %s %s canary (%d of %d ready pods)", ds.Name, percent(b.Actual), ready[release.RoleCanary], total)}
}
