package release

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DaemonSetStatus is a release whose workload is a DaemonSet: its update
// strategy, its rollout, and its nodes by revision.
type DaemonSetStatus struct {
	Name           string `json:"name"`
	UpdateStrategy string `json:"updateStrategy"`
	Desired        int32  `json:"desired"`
	Ready          int32  `json:"ready"`
	Message        string `json:"message"`
	// Stable are the containers of the template the nodes run without a
	// canary (the record's, while one runs), Canary those of the canary's
	// template.
	Stable []Container `json:"stable"`
	Canary []Container `json:"canary,omitempty"`
	// StableRevision is, while a canary runs, the revision the other nodes
	// keep; CanaryNodes are the nodes the canary runs on.
	StableRevision string       `json:"stableRevision,omitempty"`
	CanaryNodes    []string     `json:"canaryNodes,omitempty"`
	Nodes          []DaemonNode `json:"nodes"`
}

// DaemonNode is the pod of one node: its role (canary: a canary's
// revision; stable; outdated: not on the template, with no canary),
// revision, images and readiness.
type DaemonNode struct {
	Node       string      `json:"node"`
	Pod        string      `json:"pod"`
	Role       string      `json:"role"`
	Revision   string      `json:"revision"`
	Containers []Container `json:"containers"`
	Ready      bool        `json:"ready"`
}

// RoleOutdated is the role of a DaemonSet's pod not on its template while
// no canary runs: a rollout is under way, or waits for a delete (OnDelete).
const RoleOutdated = "outdated"

// SummarizeDaemon builds the status of the release of DaemonSet ds from it
// and its pods, listed already: no request. Without pods (nil, as list
// reads none) the ready nodes count from ds's status.
func SummarizeDaemon(ds *appsv1.DaemonSet, pods []corev1.Pod) *Status {
	st := &Status{
		TypeMeta:   metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseStatus"},
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ds.Namespace},
		Strategy:   StrategyNone, Phase: PhaseHealthy,
	}
	nodes := NodesOf(ds, pods)
	ss := &DaemonSetStatus{Name: ds.Name, UpdateStrategy: string(ds.Spec.UpdateStrategy.Type),
		Desired: max(ds.Status.DesiredNumberScheduled, int32(len(nodes.Names))), Ready: nodes.Ready(),
		Stable: Containers(&ds.Spec.Template.Spec), Nodes: []DaemonNode{}}
	if pods == nil {
		ss.Ready = ds.Status.NumberReady
	}
	rec, err := DaemonCanary(ds)
	switch {
	case err != nil:
		st.Warnings, st.Phase = append(st.Warnings, err.Error()), PhaseDegraded
	case rec != nil:
		st.Strategy, ss.CanaryNodes, ss.StableRevision = StrategyCanary, rec.Nodes, rec.StableRevision
		ss.Stable, ss.Canary = Containers(&rec.Template.Spec), ss.Stable
		ss.Message = fmt.Sprintf("canary on %d of %d nodes (updateStrategy %s while it runs)", len(rec.Nodes), ss.Desired, ds.Spec.UpdateStrategy.Type)
	default:
		msg, done, err := DaemonRolloutStatus(ds)
		if err != nil {
			msg = err.Error()
		} else if !done {
			st.Phase = PhaseProgressing
		}
		ss.Message = msg
	}
	for _, name := range nodes.Names {
		p := nodes.Pods[name]
		role := RoleStable
		switch {
		case rec != nil && p.Labels[LabelRevision] != rec.StableRevision:
			role = RoleCanary
		case rec == nil && !OnTemplate(ds, p):
			role = RoleOutdated
		}
		ss.Nodes = append(ss.Nodes, DaemonNode{Node: name, Pod: p.Name, Role: role, Revision: p.Labels[LabelRevision], Containers: Containers(&p.Spec), Ready: PodReady(p)})
	}
	if ss.Ready < ss.Desired && st.Phase == PhaseHealthy {
		st.Phase = PhaseProgressing
	}
	st.DaemonSet = ss
	return st
}
