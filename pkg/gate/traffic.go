package gate

import (
	"fmt"
	"math"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// TrafficGate names the built-in gate that compares where a release's
// traffic goes with where the step holding it puts it.
const TrafficGate = "traffic"

// AnyShare, as Traffic.Share, checks only that the traffic has somewhere to
// go: a fleet's soak, which holds no step.
const AnyShare = -1

// routeTolerance is how far, in percentage points, a route's weight may be
// from the step's: a route's weights are exact, so only rounding.
const routeTolerance = 0.5

// Traffic is what the built-in traffic gate judges: where a release's
// traffic really goes, as its EndpointSlices (counted by the Deployment
// that owns each endpoint's pod) and the route it runs through say, all of
// it read beforehand with the release.
type Traffic struct {
	Release   *release.Release
	Endpoints *release.Endpoints
	// Role is the role under test (canary, green, blue); Share its share
	// of the traffic at the step, in percent, or AnyShare.
	Role  string
	Share float64
	// Services are the Services that must keep ready endpoints beside the
	// release's as read: those it had when its hold began.
	Services []string
}

// Check fails when a Service of the release has no ready endpoints, when a
// Service ship made for the route does while the route sends it traffic,
// when the route is gone, or when the role's share is off the step's: by
// more than release.ShareTolerance of a Service's ready endpoints, or at
// all in a route's weights.
func (tr Traffic) Check() Result {
	r, _ := tr.Judge()
	return r
}

// Judge is Check, and the role's share of the traffic it saw, in percent:
// the route's weight, or its share of the first Service's ready endpoints.
func (tr Traffic) Judge() (Result, float64) {
	rel := tr.Release
	st := release.Summarize(rel, tr.Endpoints)
	actual := 0.0
	if len(st.Services) > 0 {
		actual = st.Services[0].Traffic[tr.Role]
	}
	var problems, shares []string
	served := sets.New(tr.Services...)
	for _, s := range st.Services {
		served.Insert(s.Name)
	}
	for _, name := range sets.List(served) {
		if tr.Endpoints.Ready(name) == 0 {
			problems = append(problems, fmt.Sprintf("service %s has no ready endpoints", name))
		}
	}
	if ref, routed := rel.RecordedRoute(); routed {
		p, share, weight := tr.route(st, ref)
		problems, shares, actual = append(problems, p...), append(shares, share...), weight
	} else if tr.Share != AnyShare {
		for _, s := range st.Services {
			got := s.Traffic[tr.Role]
			line := fmt.Sprintf("service %s %s %s", s.Name, percent(got), tr.Role)
			if math.Abs(got-tr.Share) > release.ShareTolerance {
				problems = append(problems, fmt.Sprintf("service %s sends %s of its ready endpoints to the %s (%d of %d), and the step %s", s.Name,
					percent(got), tr.Role, s.ReadyEndpoints[tr.Role], total(s.ReadyEndpoints), percent(tr.Share)))
			}
			shares = append(shares, line)
		}
	}
	if len(problems) > 0 {
		return Result{Gate: TrafficGate, Verdict: Fail, Reason: strings.Join(problems, "; ")}, actual
	}
	return Result{Gate: TrafficGate, Verdict: Pass, Reason: strings.Join(shares, ", ")}, actual
}

// route judges the route the release runs through: its weight for the
// role, and the endpoints of ship's Services that it sends traffic to.
func (tr Traffic) route(st *release.Status, ref release.RouteRef) (problems, shares []string, weight float64) {
	rel := tr.Release
	var driving *release.RouteStatus
	for i := range st.Routes {
		if st.Routes[i].Drives {
			driving = &st.Routes[i]
		}
	}
	if driving == nil {
		return []string{fmt.Sprintf("%s, the route the release runs through, was not found", ref)}, nil, 0
	}
	got := 0.0
	if driving.CanaryWeight != nil {
		got = *driving.CanaryWeight
	}
	shares = append(shares, fmt.Sprintf("%s %s %s", ref, percent(got), tr.Role))
	if tr.Share != AnyShare && math.Abs(got-tr.Share) > routeTolerance {
		problems = append(problems, fmt.Sprintf("%s sends %s to the %s, and the step %s", ref, percent(got), tr.Role, percent(tr.Share)))
	}
	judged, beside := rel.CanaryService, rel.StableService
	if rel.GreenService != nil {
		judged, beside = rel.GreenService, nil
	}
	if judged != nil && got > 0 && tr.Endpoints.Ready(judged.Name) == 0 {
		problems = append(problems, fmt.Sprintf("service %s has no ready endpoints, and %s sends it %s", judged.Name, ref, percent(got)))
	}
	if beside != nil && got < 100 && tr.Endpoints.Ready(beside.Name) == 0 {
		problems = append(problems, fmt.Sprintf("service %s has no ready endpoints, and %s sends it %s", beside.Name, ref, percent(100-got)))
	}
	return problems, shares, got
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// percent is p as a share reads: "25%", "62.5%".
func percent(p float64) string {
	return fmt.Sprintf("%g%%", math.Round(p*10)/10)
}
