package strategy

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// planRoutedCanary plans a canary whose share of traffic is a route's
// weight, exact and independent of the pods: the canary Deployment (sized
// to carry its share), a Service selecting only its pods (and one selecting
// only the stable pods when the user's Service selects both), each waited
// for until it has ready endpoints, and only then the route.
func planRoutedCanary(rel *release.Release, svc *corev1.Service, spec corev1.PodSpec, target *route.Target, req CanaryRequest) (plans.Plan, error) {
	stable, ns := rel.Stable, rel.Stable.Namespace
	ref := target.Ref(ns)
	if req.Sticky {
		return plans.Plan{}, fmt.Errorf("--sticky pins client IPs to pods through kube-proxy, which %s goes around: drop it, and use the router's own session persistence", ref)
	}
	share, err := routedShare(rel, target, req)
	if err != nil {
		return plans.Plan{}, err
	}
	tr, err := routedTrack(rel, svc, target.Ingress != nil)
	if err != nil {
		return plans.Plan{}, err
	}
	replicas := routedReplicas(stable, req, share)
	desired := newCanary(stable, spec, tr, replicas, 0)
	// list finds the route from the canary too, when ship's Services are gone.
	desired.Annotations[release.AnnotationRoute] = ref.String()
	if c := rel.Canary; c != nil && !apiequality.Semantic.DeepEqual(c.Spec.Selector, desired.Spec.Selector) {
		return plans.Plan{}, fmt.Errorf("canary %s selects %s, not %s as a canary through %s needs: abort it and start the canary again",
			c.Name, metav1.FormatLabelSelector(c.Spec.Selector), metav1.FormatLabelSelector(desired.Spec.Selector), ref)
	}
	plan := plans.Plan{Notes: []string{fmt.Sprintf("weight %s through %s, whatever the pods: %d canary %s beside %d stable",
		share, ref, replicas, release.Plural(replicas, "pod"), release.Replicas(stable))}}
	if tr.note != "" {
		plan.Notes = append(plan.Notes, tr.note)
	}
	steps, current, err := canaryDeployment(rel, desired, req.Replace)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = append(plan.Steps, steps...)
	plan.Steps = append(plan.Steps, plans.WaitFor(current, plans.RolledOut, "wait until the canary pods are ready, before the route sends them traffic"))

	tracks, err := route.NewTrackServices(rel, svc, desired.Spec.Template.Labels, tr.key, ref)
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
	plan.Notes = append(plan.Notes, otherRoutes(rel, target, tracks, replicas)...)
	plan.Steps = append(append(plan.Steps, services...), routing...)
	if made := created(append(services, routing...)); len(made) > 0 {
		plan.Notes = append(plan.Notes, createdNote(ref, made))
	}
	if !plan.Writes() {
		plan.Notes = append(plan.Notes, fmt.Sprintf("canary %s already at %s through %s: nothing to change", current.Name, share, ref))
	}
	return plan, nil
}

// routedReplicas is the canary's size: --replicas, or enough pods to carry
// its share of the stable's load.
func routedReplicas(stable *appsv1.Deployment, req CanaryRequest, share route.Share) int32 {
	if req.Replicas != 0 {
		return req.Replicas
	}
	return max(1, int32((int64(release.Replicas(stable))*int64(share.Weight)+int64(share.Total)-1)/int64(share.Total)))
}

// createdNote says what ship creates for the route, and that promote and
// abort delete it.
func createdNote(ref release.RouteRef, made []string) string {
	them := "them"
	if len(made) == 1 {
		them = "it"
	}
	return fmt.Sprintf("for %s kubectl-ship creates %s; promote and abort delete %s", ref, strings.Join(made, " and "), them)
}

// routedShare is what the route sends the canary: the weight asked for,
// out of its total; without one, the weight the route gives the canary
// now, or for a new canary with a header or cookie match 0 (only the
// matching requests reach it).
func routedShare(rel *release.Release, target *route.Target, req CanaryRequest) (route.Share, error) {
	share := route.Share{Total: req.WeightTotal, Header: req.Header, Cookie: req.Cookie}
	if share.Total == 0 {
		share.Total = 100
	}
	switch {
	case req.Weight > share.Total:
		return route.Share{}, fmt.Errorf("--weight %d is more than the total of %d: give a weight from 0 to %d (or a larger --weight-total)", req.Weight, share.Total, share.Total)
	case req.WeightSet || req.Weight > 0:
		share.Weight = req.Weight
		return share, nil
	}
	if w, t, ok := target.CurrentWeight(rel); ok && (req.WeightTotal == 0 || t == share.Total) {
		share.Weight, share.Total = w, t
		return share, nil
	}
	if req.Header != nil || req.Cookie != "" {
		return share, nil
	}
	return route.Share{}, fmt.Errorf("--weight: give the canary's share of %s's traffic, from 0 to %d (or --route none for its share of the pods)", target.Ref(rel.Stable.Namespace), share.Total)
}

// checkWithoutRoute refuses what only a route can do, for a canary that takes
// its share of the pods.
func checkWithoutRoute(rel *release.Release, svc *corev1.Service, req CanaryRequest) error {
	if req.Route.None {
		return req.CheckShareOfPods(NoRoute)
	}
	return req.CheckShareOfPods(fmt.Sprintf("no HTTPRoute in namespace %s sends traffic to service %s: name the route with --route httproute/NAME or ingress/NAME", rel.Stable.Namespace, svc.Name))
}

// NoRoute is why a canary of --route none has no route.
const NoRoute = "--route none takes the share of the pods"

// CheckShareOfPods refuses what only a route can do, for a canary that
// takes its share of the pods; why says why it has no route. The verb
// checks it before any request for --route none, the planner once it found
// no route.
func (req CanaryRequest) CheckShareOfPods(why string) error {
	switch {
	case req.Header != nil || req.Cookie != "":
		return fmt.Errorf("--header and --cookie need a route, and %s", why)
	case req.WeightTotal > 0:
		return fmt.Errorf("--weight-total needs a route, and %s", why)
	case req.WeightSet && (req.Weight < 1 || req.Weight > 99):
		return fmt.Errorf("--weight must be between 1 and 99 percent without a route (the canary's share of the pods), not %d", req.Weight)
	case req.WeightSet && req.Replicas > 0:
		return fmt.Errorf("give --weight or --replicas, not both: without a route the weight is the canary's share of the pods")
	}
	return nil
}

// created names what steps create (service NAME-canary), to say so before
// anything changes.
func created(steps []plans.Step) []string {
	var made []string
	for _, s := range steps {
		if s.Action != plans.Create {
			continue
		}
		kind := "service"
		if _, ok := s.Object.(*networkingv1.Ingress); ok {
			kind = "ingress"
		}
		obj, _ := meta.Accessor(s.Object)
		made = append(made, kind+" "+obj.GetName())
	}
	return made
}

// otherRoutes say, before acting, which other HTTPRoutes read send traffic
// to the user's Service, which ship leaves as they are: through them the
// canary gets its share of that Service's pods, or none, not the weight.
func otherRoutes(rel *release.Release, target *route.Target, tracks *route.TrackServices, canary int32) []string {
	var notes []string
	svc := tracks.Service
	for _, r := range rel.HTTPRoutesTo(svc.Name) {
		if target.HTTP != nil && r == target.HTTP {
			continue
		}
		if tracks.Stable == nil {
			notes = append(notes, fmt.Sprintf("note: httproute %s also sends traffic to service %s, which kubectl-ship leaves as it is: service %s selects only the stable pods, so none of that route's traffic reaches the canary",
				r.Name(), svc.Name, svc.Name))
			continue
		}
		split := Split{Stable: release.Replicas(rel.Stable), Canary: canary}
		notes = append(notes, fmt.Sprintf("warning: httproute %s also sends traffic to service %s, which kubectl-ship leaves as it is: through it the canary gets its share of the pods (%d of %d, %.1f%%), whatever the weight; name it with --route to drive it instead",
			r.Name(), svc.Name, split.Canary, split.Stable+split.Canary, split.Percent()))
	}
	return notes
}
