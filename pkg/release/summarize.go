package release

import (
	"fmt"
	"math"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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
