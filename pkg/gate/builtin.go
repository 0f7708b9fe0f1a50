package gate

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// BuiltIn are the gates every hold and soak checks, from one read of the
// release (release.Observed): the pods of the Deployment under test and of
// the one serving beside it, found by owner, and where the traffic goes.
type BuiltIn struct {
	// Judged names the Deployment under test: the canary, the new color,
	// or after an operation the one it left serving.
	Judged string
	// Share is the judged role's share of the traffic, in percent, or
	// AnyShare.
	Share float64
	// Services must keep ready endpoints: the release's when a hold began.
	Services []string
	// Grace is how long a pod may be not Ready.
	Grace time.Duration
	// Restarts is the restart baseline, taken at the first check.
	Restarts map[string]int32
	// Actual is the judged role's share of the traffic the last Check saw,
	// in percent, for the webhooks' payload.
	Actual float64
}

// Check judges seen at now: the pods gate, then the traffic gate.
func (b *BuiltIn) Check(seen *release.Observed, now time.Time) []Result {
	members := Members(seen.Release, b.Judged)
	if len(members) == 0 {
		return b.missing(seen.Release)
	}
	pods := b.health(seen, members, now)
	pods.Holding = true
	traffic, actual := Traffic{Release: seen.Release, Endpoints: seen.Endpoints, Role: members[0].Role, Share: b.Share, Services: b.Services}.Judge()
	b.Actual = actual
	return []Result{pods.Check(), traffic}
}

// Starting judges the pods of seen at now while the judged ones start (an
// operation, the wait before a hold): the problems a hold would fail on,
// but not the lack of pods yet.
func (b *BuiltIn) Starting(seen *release.Observed, now time.Time) Result {
	members := Members(seen.Release, b.Judged)
	if len(members) == 0 {
		return b.missing(seen.Release)[0]
	}
	health := b.health(seen, members, now)
	health.Pods = withoutReplaced(members, health.Pods)
	return health.Check()
}

// withoutReplaced leaves out of pods those a member Deployment's rollout in
// progress is replacing: an earlier release's crash-looping pods say
// nothing of the new one, and failing on them would refuse the release
// that fixes them. Until the new ReplicaSet has pods (the template not yet
// seen by the controller, or no updated replica yet) none of the
// Deployment's pods are judged; then only those of the ReplicaSet of its
// newest pod, as a rollout never creates pods for the ReplicaSets it
// scales down. Only a start leaves pods out: a hold judges them all.
func withoutReplaced(members []Member, pods []corev1.Pod) []corev1.Pod {
	newest := map[string]*corev1.Pod{} // by Deployment
	for i := range pods {
		p := &pods[i]
		d := release.DeploymentOf(p)
		if n := newest[d]; n == nil || n.CreationTimestamp.Before(&p.CreationTimestamp) ||
			n.CreationTimestamp.Equal(&p.CreationTimestamp) && n.Name < p.Name {
			newest[d] = p
		}
	}
	rolling := map[string]bool{}
	for _, m := range members {
		if d := m.Deployment; d != nil && (d.Status.ObservedGeneration < d.Generation ||
			d.Status.UpdatedReplicas == 0 && d.Status.Replicas > 0) {
			rolling[d.Name] = true
		}
	}
	var out []corev1.Pod
	for _, p := range pods {
		d := release.DeploymentOf(&p)
		if n := newest[d]; !rolling[d] && (n == nil || replicaSetOf(&p) == replicaSetOf(n)) {
			out = append(out, p)
		}
	}
	return out
}

func replicaSetOf(p *corev1.Pod) string {
	if ref := metav1.GetControllerOf(p); ref != nil {
		return ref.Name
	}
	return ""
}

func (b *BuiltIn) health(seen *release.Observed, members []Member, now time.Time) PodHealth {
	if b.Restarts == nil {
		b.Restarts = RestartCounts(seen.Pods)
	}
	return PodHealth{Members: members, Pods: seen.Pods, Now: now, Grace: b.Grace, Restarts: b.Restarts}
}

func (b *BuiltIn) missing(rel *release.Release) []Result {
	reason := fmt.Sprintf("deployment %s is not part of release %s", b.Judged, rel.Stable.Name)
	return []Result{{Gate: PodsGate, Verdict: Fail, Reason: reason}, {Gate: TrafficGate, Verdict: Fail, Reason: reason}}
}

// Unknown is what the built-in gates say when the release could not be read.
func Unknown(err error) []Result {
	return []Result{
		{Gate: PodsGate, Verdict: Inconclusive, Reason: err.Error()},
		{Gate: TrafficGate, Verdict: Inconclusive, Reason: err.Error()},
	}
}

// Members are the Deployments of rel the pods gate watches, the one named
// judged first, then the one serving beside it: the stable one beside a
// canary, the other color beside a color. None when rel has no Deployment
// of that name.
func Members(rel *release.Release, judged string) []Member {
	d := rel.DeploymentNamed(judged)
	if d == nil {
		return nil
	}
	out := []Member{{Role: rel.RoleNamed(judged), Deployment: d}}
	var beside *appsv1.Deployment
	switch {
	case d != rel.Stable:
		beside = rel.Stable
	case rel.Green != nil:
		beside = rel.Green
	case rel.Canary != nil:
		beside = rel.Canary
	}
	if beside != nil {
		out = append(out, Member{Role: rel.RoleNamed(beside.Name), Deployment: beside})
	}
	return out
}
