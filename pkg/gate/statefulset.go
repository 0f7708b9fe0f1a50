package gate

import (
	"fmt"
	"math"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// StatefulBuiltIn are the built-in gates of a StatefulSet's canary, from
// one read of the StatefulSet and one list of its pods: the pods of its
// update revision (the canary) and of the others (the stable pods), told
// apart by their controller's UID and their controller-revision-hash, and
// the canary's share of the ready pods, which is its share of the
// connections a Service spreads over them.
type StatefulBuiltIn struct {
	// Share is the canary's share of the pods at the step, in percent, or
	// AnyShare (a fleet's soak: only that some pod is ready).
	Share float64
	// Grace is how long a pod may be not Ready.
	Grace time.Duration
	// Restarts is the restart baseline, taken at the first check.
	Restarts map[string]int32
	// Actual is the canary's share of the ready pods the last Check saw.
	Actual float64
}

// Check judges sts and its pods at now: the pods gate, then the traffic
// gate.
func (b *StatefulBuiltIn) Check(sts *appsv1.StatefulSet, pods []corev1.Pod, now time.Time) []Result {
	health := b.health(sts, pods, now)
	health.Holding = true
	return []Result{health.Check(), b.traffic(sts, pods)}
}

// RouteSeen is the route a StatefulSet's canary runs through, as one check
// read it: Route nil when it is gone, Err when it could not be read.
type RouteSeen struct {
	Ref   release.RouteRef
	Route *release.HTTPRoute
	Err   error
}

// CheckRouted is Check for a canary through a route: the traffic gate
// judges the route's weights, not the pods' shares.
func (b *StatefulBuiltIn) CheckRouted(sts *appsv1.StatefulSet, pods []corev1.Pod, seen RouteSeen, now time.Time) []Result {
	health := b.health(sts, pods, now)
	health.Holding = true
	return []Result{health.Check(), b.routeTraffic(sts, pods, seen)}
}

// Starting judges the pods while the canary's start: what a hold would
// fail on, but not the lack of canary pods yet.
func (b *StatefulBuiltIn) Starting(sts *appsv1.StatefulSet, pods []corev1.Pod, now time.Time) Result {
	return b.health(sts, pods, now).Check()
}

func (b *StatefulBuiltIn) health(sts *appsv1.StatefulSet, pods []corev1.Pod, now time.Time) PodHealth {
	if b.Restarts == nil {
		b.Restarts = RestartCounts(pods)
	}
	members := []Member{
		{Role: release.RoleCanary, StatefulSet: sts, Revision: sts.Status.UpdateRevision},
		{Role: release.RoleStable, StatefulSet: sts},
	}
	return PodHealth{Members: members, Pods: pods, Now: now, Grace: b.Grace, Restarts: b.Restarts}
}

// traffic fails when no pod of sts is ready, or when the canary's share of
// the ready pods is off the step's by more than release.ShareTolerance.
func (b *StatefulBuiltIn) traffic(sts *appsv1.StatefulSet, pods []corev1.Pod) Result {
	byRevision := release.PodsByRevision(sts, pods)
	canary, stable := readyCount(byRevision.Update), readyCount(byRevision.Current)
	b.Actual = 0
	if canary+stable == 0 {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: fmt.Sprintf("statefulset %s has no ready pods", sts.Name)}
	}
	b.Actual = 100 * float64(canary) / float64(canary+stable)
	line := fmt.Sprintf("statefulset %s %s canary (%d of %d ready pods)", sts.Name, percent(b.Actual), canary, canary+stable)
	if b.Share != AnyShare && math.Abs(b.Actual-b.Share) > release.ShareTolerance {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: line + ", and the step " + percent(b.Share)}
	}
	return Result{Gate: TrafficGate, Verdict: Pass, Reason: line}
}

func readyCount(pods []*corev1.Pod) int {
	n := 0
	for _, p := range pods {
		if release.PodReady(p) {
			n++
		}
	}
	return n
}

// routeTraffic fails when the route sends the canary's Service a weight
// off the step's, or sends traffic to a Service of ship's whose revision
// has no ready pod (they select the pods by revision); a route gone fails,
// and one not read is no answer.
func (b *StatefulBuiltIn) routeTraffic(sts *appsv1.StatefulSet, pods []corev1.Pod, seen RouteSeen) Result {
	b.Actual = 0
	canaryService := release.CanaryName(sts.Name)
	switch {
	case seen.Err != nil:
		return Result{Gate: TrafficGate, Verdict: Inconclusive, Reason: fmt.Sprintf("reading %s: %v", seen.Ref, seen.Err)}
	case seen.Route == nil:
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: fmt.Sprintf("%s, the route the canary runs through, was not found", seen.Ref)}
	}
	weight, total, ok := seen.Route.SplitTo(sts.Namespace, canaryService)
	if !ok || total == 0 {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: fmt.Sprintf("%s splits no traffic between service %s and another", seen.Ref, canaryService)}
	}
	b.Actual = 100 * float64(weight) / float64(total)
	byRevision := release.PodsByRevision(sts, pods)
	canary, stable := readyCount(byRevision.Update), readyCount(byRevision.Current)
	var problems []string
	if b.Share != AnyShare && math.Abs(b.Actual-b.Share) > routeTolerance {
		problems = append(problems, fmt.Sprintf("%s sends %s to the canary, and the step %s", seen.Ref, percent(b.Actual), percent(b.Share)))
	}
	if canary == 0 && b.Actual > 0 {
		problems = append(problems, fmt.Sprintf("service %s has no ready pod of revision %s, and %s sends it %s", canaryService, sts.Status.UpdateRevision, seen.Ref, percent(b.Actual)))
	}
	if stable == 0 && b.Actual < 100 {
		problems = append(problems, fmt.Sprintf("service %s has no ready pod of revision %s, and %s sends it %s", release.StableServiceName(sts.Name), sts.Status.CurrentRevision, seen.Ref, percent(100-b.Actual)))
	}
	if len(problems) > 0 {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: strings.Join(problems, "; ")}
	}
	return Result{Gate: TrafficGate, Verdict: Pass, Reason: fmt.Sprintf("%s %s canary (%d ready canary %s, %d stable)", seen.Ref, percent(b.Actual), canary, release.Plural(canary, "pod"), stable)}
}
