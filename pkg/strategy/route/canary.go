package route

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// ToCanary plans the route's share for the canary, once tracks have ready
// endpoints: an HTTPRoute's rules split between the track Services, or a
// canary Ingress beside the user's. It records the route in plan.
func ToCanary(rel *release.Release, target *Target, tracks *TrackServices, share Share, plan *plans.Plan) ([]plans.Step, error) {
	if target.HTTP != nil {
		return httpRouteCanary(rel, target.HTTP, tracks, share, plan)
	}
	if svc := tracks.Service; tracks.Stable != nil {
		return nil, fmt.Errorf("service %s selects the canary's pods too (selector %s), so ingress-nginx would send them more than the weight, and the Ingress cannot be pointed elsewhere: make the Service select only the stable pods (add %s: %s to its selector), or route with an HTTPRoute",
			svc.Name, labels.Set(svc.Spec.Selector), tracks.key, rel.Stable.Spec.Template.Labels[tracks.key])
	}
	steps, err := ingressCanary(rel, target.Ingress, tracks, share)
	plan.Route = &release.RouteRecord{Route: target.Ref(rel.Stable.Namespace).String(), Role: release.RoleCanary}
	return steps, err
}
