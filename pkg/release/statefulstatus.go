package release

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// StatefulSetStatus is a release whose workload is a StatefulSet: its
// partition, its revisions, and its pods by role.
type StatefulSetStatus struct {
	Name            string `json:"name"`
	Replicas        int32  `json:"replicas"`
	Partition       int32  `json:"partition"`
	ReadyReplicas   int32  `json:"readyReplicas"`
	UpdatedReplicas int32  `json:"updatedReplicas"`
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
		ReadyReplicas: sts.Status.ReadyReplicas, UpdatedReplicas: sts.Status.UpdatedReplicas,
		CurrentRevision: sts.Status.CurrentRevision, UpdateRevision: sts.Status.UpdateRevision, RolledOut: done, Message: msg}
	stable := &sts.Spec.Template.Spec
	rec, err := StatefulCanary(sts)
	switch {
	case err != nil:
		st.Warnings, st.Phase = append(st.Warnings, err.Error()), PhaseDegraded
	case rec != nil:
		st.Strategy, stable = StrategyCanary, &rec.Template.Spec
	}
	// Without a canary, a rollout under way shows its pods as the update.
	byRevision := PodsByRevision(sts, pods)
	switch {
	case rec != nil:
		ss.Roles = append(ss.Roles, statefulRole(RoleStable, sts.Status.CurrentRevision, stable, byRevision.Current),
			statefulRole(RoleCanary, sts.Status.UpdateRevision, &sts.Spec.Template.Spec, byRevision.Update))
	case sts.Status.UpdateRevision != sts.Status.CurrentRevision:
		ss.Roles = append(ss.Roles, statefulRole(RoleStable, sts.Status.CurrentRevision, nil, byRevision.Current),
			statefulRole(RoleUpdate, sts.Status.UpdateRevision, &sts.Spec.Template.Spec, byRevision.Update))
	default:
		ss.Roles = append(ss.Roles, statefulRole(RoleStable, sts.Status.CurrentRevision, stable, append(byRevision.Current, byRevision.Update...)))
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

// RoleUpdate is the role of a StatefulSet's pods on its update revision
// during a rollout that is no canary.
const RoleUpdate = "update"

// statefulRole is the pods of a role; spec is nil when the template of
// their revision is not known (that of the pods a rollout replaces).
func statefulRole(role, revision string, spec *corev1.PodSpec, pods []*corev1.Pod) StatefulRole {
	r := StatefulRole{Role: role, Revision: revision, Containers: []Container{}, Pods: []string{}}
	if spec != nil {
		r.Containers = Containers(spec)
	}
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

// AddStatefulSets adds to list the releases of the StatefulSets that
// selector matches and no Deployment of the list shares a name with, from
// the StatefulSets alone: their pods' roles and shares count from their
// status (status shows each pod). A canary through an HTTPRoute, which
// ship's canary Service among services records, gets that route's weights
// from routes (nil: none read).
func AddStatefulSets(list *StatusList, statefulSets []appsv1.StatefulSet, services []corev1.Service, routes *ListedRoutes, selector labels.Selector) {
	canaries := map[releaseKey]*corev1.Service{}
	for i := range services {
		if name, ok := OwnerOf(&services[i]); ok && services[i].Labels[LabelRole] == RoleCanary {
			canaries[releaseKey{services[i].Namespace, name}] = &services[i]
		}
	}
	addWorkloads(list, statefulSets, selector, func(sts *appsv1.StatefulSet) *Status {
		st := SummarizeStateful(sts, nil)
		routes.addStatefulRoute(st, canaries[releaseKey{sts.Namespace, sts.Name}])
		return st
	})
}

// addStatefulRoute adds to st, a StatefulSet's canary, the HTTPRoute that
// svc, ship's canary Service, records it runs through, when that route's
// namespace was read.
func (l *ListedRoutes) addStatefulRoute(st *Status, svc *corev1.Service) {
	if l == nil || l.HTTPRoutes == nil || svc == nil || st.Strategy != StrategyCanary {
		return
	}
	ref, err := ParseRouteRef(svc.Annotations[AnnotationRoute])
	if ref = ref.In(st.Namespace); err != nil || ref.Kind != KindHTTPRoute || (l.Namespace != "" && ref.Namespace != l.Namespace) {
		return
	}
	var route *HTTPRoute
	for _, r := range l.HTTPRoutes {
		if r.Namespace() == ref.Namespace && r.Name() == ref.Name {
			route = r
		}
	}
	AddStatefulRoute(st, ref.Relative(st.Namespace), route)
}

// AddDaemonSets adds to list the releases of the DaemonSets that selector
// matches and no Deployment or StatefulSet of the list shares a name with
// (status reads those first), from the DaemonSets alone: their ready nodes
// count from their status (status shows each node).
func AddDaemonSets(list *StatusList, daemonSets []appsv1.DaemonSet, selector labels.Selector) {
	addWorkloads(list, daemonSets, selector, func(ds *appsv1.DaemonSet) *Status { return SummarizeDaemon(ds, nil) })
}

// addWorkloads adds to list the summary of each workload selector matches
// whose name no release of the list has, and sorts the list.
func addWorkloads[T any, P interface {
	*T
	metav1.Object
}](list *StatusList, workloads []T, selector labels.Selector, summarize func(P) *Status) {
	taken := map[string]bool{}
	for _, st := range list.Items {
		taken[st.Namespace+"/"+st.Name] = true
	}
	for i := range workloads {
		w := P(&workloads[i])
		if taken[w.GetNamespace()+"/"+w.GetName()] || !selector.Matches(labels.Set(w.GetLabels())) {
			continue
		}
		st := summarize(w)
		st.CreationTimestamp = w.GetCreationTimestamp()
		list.Items = append(list.Items, st)
	}
	sort.Slice(list.Items, func(i, j int) bool {
		a, b := list.Items[i], list.Items[j]
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
}

// AddStatefulRoute adds to st, a StatefulSet's release, the route ref its
// canary runs through as read (nil: gone): its backends with ship's
// Services by name, and the canary's weight.
func AddStatefulRoute(st *Status, ref RouteRef, route *HTTPRoute) {
	ns := st.Namespace
	if route == nil {
		gone := RouteStatus{Kind: ref.Kind, Name: ref.Name, Namespace: ref.Namespace, Drives: true, Missing: true, Rules: []RouteRuleStatus{}}
		if gone.Namespace == ns {
			gone.Namespace = ""
		}
		st.Routes = append(st.Routes, gone)
		st.Warnings = append(st.Warnings, fmt.Sprintf("%s, which the canary of statefulset %s runs through, no longer exists: 'kubectl ship abort %s' deletes ship's Services and moves the pods back",
			ref.Relative(ns), st.Name, st.Name))
		return
	}
	roles := map[string]string{CanaryName(st.Name): RoleCanary, StableServiceName(st.Name): RoleStable}
	rs, warnings := httpRouteStatus(route, ns, true, roles, nil)
	st.Routes = append(st.Routes, rs)
	st.Warnings = append(st.Warnings, warnings...)
}
