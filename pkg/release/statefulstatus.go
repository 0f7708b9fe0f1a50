package release

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StatefulSetStatus is a release whose workload is a StatefulSet: its
// partition, its revisions, and its pods by role.
type StatefulSetStatus struct {
	Name            string `json:"name"`
	Replicas        int32  `json:"replicas"`
	Partition       int32  `json:"partition"`
	CurrentRevision string `json:"currentRevision"`
	UpdateRevision  string `json:"updateRevision"`
	RolledOut       bool   `json:"rolledOut"`
	Message         string `json:"message"`
	// Roles are the stable pods (the current revision) and, while a
	// canary runs, the canary's (the update revision).
	Roles []StatefulRole `json:"roles"`
}

// StatefulRole is the pods of one role of a StatefulSet release.
type StatefulRole struct {
	Role       string      `json:"role"`
	Revision   string      `json:"revision"`
	Containers []Container `json:"containers"`
	Pods       []string    `json:"pods"`
	Ready      int32       `json:"ready"`
	// Share is the role's share of the ready pods, in percent.
	Share float64 `json:"share"`
}

// SummarizeStateful builds the status of the release of StatefulSet sts
// from it and its pods, listed already: no request.
func SummarizeStateful(sts *appsv1.StatefulSet, pods []corev1.Pod) *Status {
	st := &Status{
		TypeMeta:   metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseStatus"},
		ObjectMeta: metav1.ObjectMeta{Name: sts.Name, Namespace: sts.Namespace},
		Strategy:   StrategyNone, Phase: PhaseHealthy,
	}
	msg, done, err := StatefulRolloutStatus(sts)
	if err != nil {
		msg = err.Error()
	}
	ss := &StatefulSetStatus{Name: sts.Name, Replicas: StatefulReplicas(sts), Partition: Partition(sts),
		CurrentRevision: sts.Status.CurrentRevision, UpdateRevision: sts.Status.UpdateRevision, RolledOut: done, Message: msg}
	stable := &sts.Spec.Template.Spec
	rec, err := StatefulCanary(sts)
	switch {
	case err != nil:
		st.Warnings, st.Phase = append(st.Warnings, err.Error()), PhaseDegraded
	case rec != nil:
		st.Strategy, stable = StrategyCanary, &rec.Template.Spec
	}
	byRevision := PodsByRevision(sts, pods)
	stablePods := byRevision.Current
	if rec == nil && sts.Status.UpdateRevision == sts.Status.CurrentRevision {
		stablePods = append(stablePods, byRevision.Update...)
	}
	ss.Roles = append(ss.Roles, statefulRole(RoleStable, sts.Status.CurrentRevision, stable, stablePods))
	if len(stablePods) < len(byRevision.Current)+len(byRevision.Update) {
		ss.Roles = append(ss.Roles, statefulRole(RoleCanary, sts.Status.UpdateRevision, &sts.Spec.Template.Spec, byRevision.Update))
	}
	var ready int32
	for _, r := range ss.Roles {
		ready += r.Ready
	}
	for i := range ss.Roles {
		if ready > 0 {
			ss.Roles[i].Share = 100 * float64(ss.Roles[i].Ready) / float64(ready)
		}
	}
	if !done && st.Phase == PhaseHealthy {
		st.Phase = PhaseProgressing
	}
	st.StatefulSet = ss
	return st
}

func statefulRole(role, revision string, spec *corev1.PodSpec, pods []*corev1.Pod) StatefulRole {
	r := StatefulRole{Role: role, Revision: revision, Containers: Containers(spec), Pods: []string{}}
	for _, p := range pods {
		r.Pods = append(r.Pods, p.Name)
		if PodReady(p) {
			r.Ready++
		}
	}
	sort.Slice(r.Pods, func(i, j int) bool { return ordinalLess(r.Pods[i], r.Pods[j]) })
	return r
}

// ordinalLess orders pod names by ordinal: db-2 before db-10.
func ordinalLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
