package release

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// StatusAPIVersion versions the schema of `status -o json|yaml`: fields are
// only added within a version, so scripts can rely on them.
const StatusAPIVersion = "kubectl-ship.dev/v1alpha1"

// Strategies and phases a release can be in.
const (
	StrategyNone      = "none"
	StrategyCanary    = "canary"
	StrategyBlueGreen = "blue-green"

	PhaseHealthy     = "Healthy"
	PhaseProgressing = "Progressing"
	PhasePaused      = "Paused"
	PhaseDegraded    = "Degraded"
	// PhaseAmbiguous: several Deployments made by hand could each be the
	// canary or green; the user names one (--canary, --green).
	PhaseAmbiguous = "Ambiguous"
)

// ShareTolerance is how far, in percentage points, a role's share of a
// Service's ready endpoints may be from the weight asked for before status
// warns of it and a hold's traffic gate fails: a pod restarting moves a
// share of a few pods by more than the planner's own tolerance.
const ShareTolerance = 10.0

// Status is what `kubectl ship status` shows: each Deployment of the release
// with its role, each Service with the traffic it really sends to each role,
// counted from the ready endpoints of its EndpointSlices.
type Status struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Strategy          string             `json:"strategy"`
	Phase             string             `json:"phase"`
	Deployments       []DeploymentStatus `json:"deployments"`
	Services          []ServiceStatus    `json:"services"`
	// Routes are the routes read that send traffic to the release.
	Routes []RouteStatus `json:"routes,omitempty"`
	// StatefulSet is the release's StatefulSet, when its workload is one
	// (it then has no Deployments).
	StatefulSet *StatefulSetStatus `json:"statefulSet,omitempty"`
	// DaemonSet is the release's DaemonSet, when its workload is one.
	DaemonSet *DaemonSetStatus `json:"daemonSet,omitempty"`
	// Operation is the kubectl-ship command that holds the release's lock:
	// one in progress, or one interrupted that a re-run continues.
	Operation string `json:"operation,omitempty"`
	// Progression is the canary's progression (canary --steps), as the
	// release's record keeps it, when one was started.
	Progression *Progression `json:"progression,omitempty"`
	// LastOperation is the last operation of the release's record.
	LastOperation *Operation `json:"lastOperation,omitempty"`
	Warnings      []string   `json:"warnings,omitempty"`
}

// Outcome is how the release's last progression or canary ended, when the
// record says it ended and nothing started since: ProgressionPromoted,
// ProgressionRolledBack, or "" (under way, or nothing recorded). A promote
// or an abort that was the last operation decides, with no canary left;
// else the progression's own end.
func (st *Status) Outcome() ProgressionPhase {
	p, last := st.Progression, st.LastOperation
	if last != nil && last.Error == "" && st.Strategy != StrategyCanary {
		switch last.Verb {
		case "promote":
			return ProgressionPromoted
		case "abort":
			return ProgressionRolledBack
		}
	}
	switch {
	case p == nil || p.Verify:
		return ""
	case p.Color == "" && st.Strategy == StrategyCanary:
		return "" // a canary runs: started since
	case p.Phase == ProgressionRolledBack || p.Phase == ProgressionPromoted:
		return p.Phase
	}
	return ""
}

// DeploymentStatus is one Deployment of a release.
type DeploymentStatus struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Serving *bool  `json:"serving,omitempty"`
	// Images are the images of every container of the pod template: the
	// app containers first, then init containers and sidecars.
	Images []string `json:"images"`
	// Containers are the same images with their containers' names and types.
	Containers        []Container `json:"containers"`
	Replicas          int32       `json:"replicas"`
	UpdatedReplicas   int32       `json:"updatedReplicas"`
	ReadyReplicas     int32       `json:"readyReplicas"`
	AvailableReplicas int32       `json:"availableReplicas"`
	Revision          string      `json:"revision,omitempty"`
	Paused            bool        `json:"paused,omitempty"`
	RolledOut         bool        `json:"rolledOut"`
	// Degraded is set when the rollout exceeded its progress deadline.
	Degraded bool   `json:"degraded,omitempty"`
	Message  string `json:"message"`
	// HandMade is set on a canary or green that kubectl-ship did not
	// create; Adopted beside it once kubectl-ship adopted it (kubectl ship
	// adopt), and acts on it as on its own.
	HandMade bool `json:"handMade,omitempty"`
	Adopted  bool `json:"adopted,omitempty"`
}

// ServiceStatus is one Service of a release and where its traffic goes.
type ServiceStatus struct {
	Name            string            `json:"name"`
	Selector        map[string]string `json:"selector"`
	SessionAffinity string            `json:"sessionAffinity"`
	// ReadyEndpoints counts the ready endpoints by the role of the
	// Deployment that owns their pod: stable, canary, blue, green, or other
	// for pods of no Deployment of the release.
	ReadyEndpoints map[string]int `json:"readyEndpoints"`
	// Traffic is each role's share of the ready endpoints, in percent.
	Traffic map[string]float64 `json:"traffic"`
	// Others are the owners of the pods counted as other, by owner.
	Others []OtherOwner `json:"others,omitempty"`
	// RequestedWeight is the canary weight asked for, when one was.
	RequestedWeight *int32 `json:"requestedWeight,omitempty"`
}

// DeepCopyObject makes Status printable by cli-runtime's printers.
func (st *Status) DeepCopyObject() runtime.Object {
	raw, _ := json.Marshal(st)
	out := &Status{}
	_ = json.Unmarshal(raw, out)
	return out
}
