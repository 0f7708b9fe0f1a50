package gate

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// DaemonBuiltIn is the built-in gate of a DaemonSet's canary, from one read
// of the DaemonSet and one list of its pods: the pods of its canary's
// nodes that left the stable revision (the canary) and every other pod it
// controls (the stable ones), told apart by their controller's UID, node
// and controller-revision-hash, as the DaemonSet's record names them. A
// DaemonSet has no share of traffic to judge: each node's pod serves its
// node.
type DaemonBuiltIn struct {
	// Grace is how long a pod may be not Ready.
	Grace time.Duration
	// Restarts is the restart baseline, taken at the first check.
	Restarts map[string]int32
	// WholeWithoutCanary judges all its pods as one when no canary is
	// recorded (a fleet's soak after promote), where a hold fails: the
	// canary it judged is gone.
	WholeWithoutCanary bool
}

// Check judges ds and its pods at now, holding: a role with no pods fails.
func (b *DaemonBuiltIn) Check(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) []Result {
	health := b.health(ds, pods, now)
	health.Holding, health.EveryRole = true, true
	return []Result{health.Check()}
}

// Starting judges the pods while the canary's start: what a hold would
// fail on, but not the lack of canary pods yet.
func (b *DaemonBuiltIn) Starting(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) Result {
	return b.health(ds, pods, now).Check()
}

func (b *DaemonBuiltIn) health(ds *appsv1.DaemonSet, pods []corev1.Pod, now time.Time) PodHealth {
	if b.Restarts == nil {
		b.Restarts = RestartCounts(pods)
	}
	stable := Member{Role: release.RoleStable, DaemonSet: ds}
	canary, err := release.DaemonCanary(ds)
	if err != nil || canary == nil {
		if b.WholeWithoutCanary {
			return PodHealth{Members: []Member{stable}, Pods: pods, Now: now, Grace: b.Grace, Restarts: b.Restarts}
		}
		canary = &release.DaemonRecord{} // no canary runs: no pod is the canary's
	}
	members := []Member{{Role: release.RoleCanary, DaemonSet: ds, Canary: canary}, stable}
	return PodHealth{Members: members, Pods: pods, Now: now, Grace: b.Grace, Restarts: b.Restarts}
}
