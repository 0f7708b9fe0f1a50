package strategy

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planStatefulRouted plans a StatefulSet's canary through an HTTPRoute (the
// one named, recorded, or found; with none found, its share of the pods):
// its share of the traffic is the route's weight, exact whatever the pods. The
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
	svc, target, err := route.ForStatefulSet(sts, rel, req.Route)
	switch {
	case err != nil:
		return plans.Plan{}, err
	case target == nil:
		return planStatefulCanary(sts, req) // no route: the share of the pods
	}
	ref := target.Ref(sts.Namespace)
	share, err := routedShare(rel, target, req)
	if err != nil {
		return plans.Plan{}, err
	}
	rec, err := statefulRecordOf(sts)
	if err != nil {
		return plans.Plan{}, err
	}
	replicas := release.StatefulReplicas(sts)
	k, err := statefulRoutedSize(sts, rec.Partition, share, req.Replicas, ref)
	if err != nil {
		return plans.Plan{}, err
	}
	plan, next, err := statefulPartition(sts, rec, k, pods)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Notes = append([]string{fmt.Sprintf("weight %s through %s, whatever the pods: %d canary %s beside %d stable (%s of statefulset %s)",
		share, ref, k, release.Plural(k, "pod"), replicas-k, ordinals(sts.Name, replicas-k, replicas), sts.Name)}, plan.Notes...)
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until the canary pods are ready, before the route sends them traffic"))
	if plan.Writes() || !revisionKnown(sts) {
		plan.Notes = append(plan.Notes, fmt.Sprintf("then, once the canary's pods are ready on their revision, kubectl-ship's Services select each revision's pods and %s sends %s to the canary",
			ref, share))
		plan.Continue = true
		return plan, nil
	}
	return statefulRouteWeights(sts, rel, svc, target, share, plan)
}

// statefulRouteWeights plans, once the canary's pods are ready on their
// revision, ship's Services selecting each revision's pods and the route's
// weights after the steps of plan.
func statefulRouteWeights(sts *appsv1.StatefulSet, rel *release.Release, svc *corev1.Service, target *route.Target, share route.Share, plan plans.Plan) (plans.Plan, error) {
	if sts.Status.UpdateRevision == sts.Status.CurrentRevision {
		return plans.Plan{}, fmt.Errorf("statefulset %s's canary runs on its current revision %s: abort it and start the canary again", sts.Name, release.EscapeTerminal(sts.Status.CurrentRevision))
	}
	canaryPods := maps.Clone(sts.Spec.Template.Labels)
	canaryPods[release.LabelRevision] = sts.Status.UpdateRevision
	ref := target.Ref(sts.Namespace)
	tracks, err := route.NewTrackServices(rel, svc, canaryPods, release.LabelRevision, ref)
	if err != nil {
		return plans.Plan{}, err
	}
	routing, err := route.ToCanary(rel, target, tracks, share, &plan)
	if err != nil {
		return plans.Plan{}, err
	}
	services, err := tracks.Plan(rel)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = append(append(plan.Steps, services...), routing...)
	if made := created(services); len(made) > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("for %s kubectl-ship creates %s; promote and abort delete them", ref, strings.Join(made, " and ")))
	}
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("canary of statefulset %s already at %s through %s: nothing to change", sts.Name, share, ref))
	}
	return plan, nil
}

// revisionKnown says whether the StatefulSet controller has seen sts's
// template, so that its update revision names the canary's pods.
func revisionKnown(sts *appsv1.StatefulSet) bool {
	return sts.Status.ObservedGeneration >= sts.Generation && sts.Status.UpdateRevision != ""
}

// statefulRoutedSize is how many of a StatefulSet's pods a canary through a
// route takes: --replicas, or enough to carry its weight of the traffic
// (as many as its share of the pods), and at least one. They must carry
// it, and at least one pod stays stable.
func statefulRoutedSize(sts *appsv1.StatefulSet, partition int32, share route.Share, asked int32, ref release.RouteRef) (int32, error) {
	replicas := release.StatefulReplicas(sts)
	need := max(1, int32((int64(replicas)*int64(share.Weight)+int64(share.Total)-1)/int64(share.Total)))
	k := asked
	if k == 0 {
		k = need
	}
	if most := replicas - max(1, partition); need > most && replicas >= 2 {
		return 0, fmt.Errorf("weight %s through %s needs %d of the %d pods of statefulset %s to carry it, and at most %d can run the canary: give at most --weight %d",
			share, ref, need, replicas, sts.Name, most, int64(most)*int64(share.Total)/int64(replicas))
	}
	if k < need {
		return 0, fmt.Errorf("--replicas %d: %d of the %d pods of statefulset %s cannot carry %s of the traffic through %s: give --replicas %d or more, or a lower --weight",
			k, k, replicas, sts.Name, share, ref, need)
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
	teardown, notes, terr := route.Teardown(rel)
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
	if missing := route.MissingBackends(rel); missing != "" {
		notes = append(notes, "warning: "+missing+": the route goes back first")
	}
	plan.Notes = append(notes, plan.Notes...)
	plan.Steps = append(teardown, plan.Steps...)
	plan.RouteRestored = routedRecord(rel)
	return plan, nil
}
