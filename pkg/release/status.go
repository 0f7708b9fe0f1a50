package release

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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

// Summarize builds the status of rel from objects already listed. It makes
// no request; the caller decides how few it needs.
func Summarize(rel *Release, ep *Endpoints) *Status {
	st := &Status{
		TypeMeta:   metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseStatus"},
		ObjectMeta: metav1.ObjectMeta{Name: rel.Stable.Name, Namespace: rel.Stable.Namespace},
		Strategy:   StrategyNone,
	}
	serving := ""
	switch {
	case rel.Canary != nil:
		st.Strategy = StrategyCanary
	case rel.Green != nil:
		st.Strategy = StrategyBlueGreen
		color, err := rel.Serving(rel.ColorKey())
		if err != nil {
			st.Warnings = append(st.Warnings, err.Error())
		}
		serving = string(color)
		if color, routed := rel.RouteServing(); routed {
			serving = string(color)
		}
	}
	members := rel.members()
	for i := len(members) - 1; i >= 0; i-- {
		st.Deployments = append(st.Deployments, deploymentStatus(members[i], serving))
	}
	st.Warnings = append(st.Warnings, markHandMade(rel, st.Deployments)...)
	for _, svc := range rel.Services {
		st.Services = append(st.Services, serviceStatus(rel, svc, ep))
	}
	routes, warnings := routeStatuses(rel, ep)
	st.Routes, st.Warnings = routes, append(st.Warnings, warnings...)
	st.Phase, st.Warnings = phase(st, st.Warnings)
	return st
}

// member is a Deployment of a release with its role.
type member struct {
	role string
	d    *appsv1.Deployment
}

// members lists the release's Deployments: the canary (or green) first,
// then the stable one (or blue).
func (r *Release) members() []member {
	var out []member
	switch {
	case r.Canary != nil:
		out = append(out, member{RoleCanary, r.Canary})
	case r.Green != nil:
		out = append(out, member{string(Green), r.Green})
	}
	role := RoleStable
	if r.Green != nil {
		role = string(Blue)
	}
	return append(out, member{role, r.Stable})
}

func deploymentStatus(m member, serving string) DeploymentStatus {
	d := m.d
	msg, done, err := RolloutStatus(d)
	if err != nil {
		msg = err.Error()
	}
	ds := DeploymentStatus{
		Degraded: err != nil,
		Name:     d.Name, Role: m.role,
		Replicas: Replicas(d), UpdatedReplicas: d.Status.UpdatedReplicas,
		ReadyReplicas: d.Status.ReadyReplicas, AvailableReplicas: d.Status.AvailableReplicas,
		Revision: d.Annotations[RevisionAnnotation],
		Paused:   d.Spec.Paused, RolledOut: done, Message: msg,
	}
	ds.Containers = Containers(&d.Spec.Template.Spec)
	ds.Images = Images(ds.Containers)
	if serving != "" {
		isServing := m.role == serving
		ds.Serving = &isServing
	}
	return ds
}

// phase sums up the release and adds the warnings a person should see.
func phase(st *Status, warnings []string) (string, []string) {
	result := PhaseHealthy
	for _, d := range st.Deployments {
		switch {
		case d.Paused:
			warnings = append(warnings, fmt.Sprintf("deployment %s is paused: resume it with 'kubectl rollout resume deployment/%s'", d.Name, d.Name))
			if result == PhaseHealthy || result == PhaseProgressing {
				result = PhasePaused
			}
		case d.Degraded:
			warnings = append(warnings, d.Message)
			result = PhaseDegraded
		case !d.RolledOut && result == PhaseHealthy:
			result = PhaseProgressing
		}
		if d.Role == RoleStable && d.Replicas == 0 && st.Strategy == StrategyCanary && len(st.Deployments) > 1 {
			warnings = append(warnings, fmt.Sprintf("deployment %s has 0 replicas: the canary takes all of the traffic", d.Name))
		}
	}
	for _, r := range st.Routes {
		if r.sendsNowhere() {
			result = PhaseDegraded
		}
	}
	for _, s := range st.Services {
		if s.SessionAffinity == string(corev1.ServiceAffinityClientIP) && st.Strategy == StrategyCanary {
			warnings = append(warnings, fmt.Sprintf("service %s pins client IPs to pods through kube-proxy, not to versions; ingress controllers that route to endpoints directly ignore it", s.Name))
		}
		if len(s.Others) > 0 {
			warnings = append(warnings, fmt.Sprintf("service %s sends %.1f%% of its ready endpoints to pods of no Deployment of release %s: %s",
				s.Name, s.Traffic[RoleOther], st.Name, DescribeOthers(s.Others, 3)))
		}
		if s.RequestedWeight != nil && result == PhaseHealthy {
			if actual := s.Traffic[RoleCanary]; math.Abs(actual-float64(*s.RequestedWeight)) > ShareTolerance {
				warnings = append(warnings, fmt.Sprintf("service %s sends %.1f%% of its endpoints to the canary, far from the %d%% requested", s.Name, actual, *s.RequestedWeight))
			}
		}
	}
	sort.Strings(warnings)
	return result, warnings
}
