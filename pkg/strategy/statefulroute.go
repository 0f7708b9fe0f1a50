package strategy

import (
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
)

// planStatefulRouted plans a StatefulSet's canary through an HTTPRoute: its
// share of the traffic is the route's weight, exact whatever the pods. The
// partition moves first, as for a canary by pods, so that the canary's
// pods can carry the weight, and they are waited for. Their revision's hash
// is known only once the StatefulSet controller made it, so ship's Services
// (the canary's selecting the update revision's pods, the stable one the
// current revision's), their ready endpoints, then the route's weights are
// the next segment, planned from a fresh read: a rerun after an
// interruption reads the revisions again.
func planStatefulRouted(sts *appsv1.StatefulSet, rel *release.Release, req CanaryRequest) (plans.Plan, error) {
	if rel == nil {
		return plans.Plan{}, fmt.Errorf("statefulset %s: its Services and routes were not read", sts.Name)
	}
	pods := req
	pods.Header, pods.Cookie, pods.WeightSet, pods.WeightTotal, pods.Weight, pods.Replicas = nil, "", false, 0, 0, 0
	if err := statefulFlags(sts, pods); err != nil {
		return plans.Plan{}, err
	}
	svc, target, err := statefulRouteTarget(sts, rel, req.Route)
	if err != nil {
		return plans.Plan{}, err
	}
	ref := target.ref(sts.Namespace)
	weight, total, err := routedWeight(rel, target, req)
	if err != nil {
		return plans.Plan{}, err
	}
	rec, err := statefulRecordOf(sts)
	if err != nil {
		return plans.Plan{}, err
	}
	replicas := release.StatefulReplicas(sts)
	k, err := statefulRoutedSize(sts, rec.Partition, weight, total, req.Replicas, ref)
	if err != nil {
		return plans.Plan{}, err
	}
	plan, next, err := statefulPartition(sts, rec, k, pods)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Notes = append([]string{fmt.Sprintf("weight %s through %s, whatever the pods: %d canary %s beside %d stable (%s of statefulset %s)",
		weightString(weight, total), ref, k, release.Plural(k, "pod"), replicas-k, ordinals(sts.Name, replicas-k, replicas), sts.Name)}, plan.Notes...)
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until the canary pods are ready, before the route sends them traffic"))
	if plan.Writes() || !revisionKnown(sts) {
		plan.Notes = append(plan.Notes, fmt.Sprintf("then, once the canary's pods are ready on their revision, kubectl-ship's Services select each revision's pods and %s sends %s to the canary",
			ref, weightString(weight, total)))
		plan.Continue = true
		return plan, nil
	}
	return statefulRouteWeights(sts, rel, svc, target.http, ref, weight, total, req, plan)
}

// statefulRouteWeights plans, once the canary's pods are ready on their
// revision, ship's Services selecting each revision's pods and the route's
// weights after the steps of plan.
func statefulRouteWeights(sts *appsv1.StatefulSet, rel *release.Release, svc *corev1.Service, http *release.HTTPRoute, ref release.RouteRef, weight, total int32, req CanaryRequest, plan plans.Plan) (plans.Plan, error) {
	if sts.Status.UpdateRevision == sts.Status.CurrentRevision {
		return plans.Plan{}, fmt.Errorf("statefulset %s's canary runs on its current revision %s: abort it and start the canary again", sts.Name, release.EscapeTerminal(sts.Status.CurrentRevision))
	}
	canaryPods := withKey(sts.Spec.Template.Labels, release.LabelRevision, sts.Status.UpdateRevision)
	tracks, err := newTrackServices(rel, svc, canaryPods, release.LabelRevision, ref)
	if err != nil {
		return plans.Plan{}, err
	}
	route, err := httpRouteCanary(rel, http, tracks, weight, total, req, &plan)
	if err != nil {
		return plans.Plan{}, err
	}
	services, err := tracks.plan(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = append(append(plan.Steps, services...), route...)
	if made := created(services); len(made) > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("for %s kubectl-ship creates %s; promote and abort delete them", ref, strings.Join(made, " and ")))
	}
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("canary of statefulset %s already at %s through %s: nothing to change", sts.Name, weightString(weight, total), ref))
	}
	return plan, nil
}

// revisionKnown says whether the StatefulSet controller has seen sts's
// template, so that its update revision names the canary's pods.
func revisionKnown(sts *appsv1.StatefulSet) bool {
	return sts.Status.ObservedGeneration >= sts.Generation && sts.Status.UpdateRevision != ""
}

// statefulRouteTarget is the HTTPRoute a StatefulSet's canary runs through,
// the one named or else the one recorded, and the Service of its pods that
// the route sends traffic to (before ship changed it).
func statefulRouteTarget(sts *appsv1.StatefulSet, rel *release.Release, choice RouteChoice) (*corev1.Service, *routeTarget, error) {
	ref, routed := rel.RecordedRoute()
	if choice.None {
		_, err := canaryRoute(rel, nil, choice)
		return nil, nil, err
	}
	if choice.Ref != nil {
		ref = *choice.Ref
	} else if !routed {
		return nil, nil, fmt.Errorf("statefulset %s: name the route with --route httproute/NAME", sts.Name)
	}
	if ref.Kind != release.KindHTTPRoute {
		return nil, nil, fmt.Errorf("statefulset %s: --route %s: a StatefulSet's canary runs through an HTTPRoute (--route httproute/NAME), or takes its share of the pods (--route none)", sts.Name, ref.Relative(sts.Namespace))
	}
	route := rel.HTTPRoute(ref)
	if route == nil {
		return nil, nil, fmt.Errorf("httproute %s not found in namespace %s", ref.Name, ref.In(sts.Namespace).Namespace)
	}
	var rules []any
	if rec, ok := rel.Recorded(release.RoleCanary); ok {
		rules = rec.Rules
	}
	svc := routedService(rel, route, rules)
	if svc == nil {
		svc = routedService(rel, route, httproute.RulesOf(route.Object))
	}
	if svc == nil {
		selecting := rel.ServiceNames()
		if selecting == "" {
			selecting = "none"
		}
		return nil, nil, fmt.Errorf("httproute %s does not send traffic to a service of statefulset %s (its backends there: %s; services selecting its pods: %s)",
			route.Name(), sts.Name, listOrNone(route.Services(sts.Namespace)), selecting)
	}
	target, err := canaryRoute(rel, svc, choice)
	return svc, target, err
}

// statefulRoutedSize is how many of a StatefulSet's pods a canary through a
// route takes: --replicas, or enough to carry its weight of the traffic
// (as many as its share of the pods), and at least one. They must carry
// it, and at least one pod stays stable.
func statefulRoutedSize(sts *appsv1.StatefulSet, partition, weight, total, asked int32, ref release.RouteRef) (int32, error) {
	replicas := release.StatefulReplicas(sts)
	need := max(1, int32((int64(replicas)*int64(weight)+int64(total)-1)/int64(total)))
	k := asked
	if k == 0 {
		k = need
	}
	if most := replicas - max(1, partition); need > most && replicas >= 2 {
		return 0, fmt.Errorf("weight %s through %s needs %d of the %d pods of statefulset %s to carry it, and at most %d can run the canary: give at most --weight %d",
			weightString(weight, total), ref, need, replicas, sts.Name, most, int64(most)*int64(total)/int64(replicas))
	}
	if k < need {
		return 0, fmt.Errorf("--replicas %d: %d of the %d pods of statefulset %s cannot carry %s of the traffic through %s: give --replicas %d or more, or a lower --weight",
			k, k, replicas, sts.Name, weightString(weight, total), ref, need)
	}
	return statefulCanarySize(sts.Name, replicas, partition, CanaryRequest{Replicas: k})
}

// statefulRouted ends a StatefulSet's canary through a route: the route
// goes back to the user's Service (which selects every pod) and ship's
// Services go, before any pod moves (plan, as err says).
func statefulRouted(rel *release.Release, plan plans.Plan, err error) (plans.Plan, error) {
	if rel == nil {
		return plan, err
	}
	teardown, notes, terr := routeTeardown(rel)
	var nothing *plans.NothingLeftError
	switch {
	case terr != nil:
		return plans.Plan{}, terr
	case errors.As(err, &nothing) && len(teardown) > 0:
		// An earlier run moved the pods back but stopped before this.
		plan, err = plans.Plan{}, nil
	case err != nil:
		return plan, err
	}
	if missing := missingBackends(rel); missing != "" {
		notes = append(notes, "warning: "+missing+": the route goes back first")
	}
	plan.Notes = append(notes, plan.Notes...)
	plan.Steps = append(teardown, plan.Steps...)
	plan.RouteRestored = routedRecord(rel)
	return plan, nil
}
