package kube

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// A StatefulSet's canary reads its Services and routes when it may find
// its route, as a Deployment's does; --route none (needs nothing) reads
// them only when the lock records a route, which it then refuses; promote
// and abort read them only for a route recorded.
func TestStatefulRoutesRead(t *testing.T) {
	ref := &release.RouteRef{Kind: release.KindHTTPRoute, Name: "web"}
	record := &release.RouteRecord{Route: "httproute/web", Role: release.RoleCanary}
	for _, tc := range []struct {
		name               string
		routes             statefulRoutes
		read, discoverOnly bool
	}{
		{"a canary finding its route", statefulRoutes{needs: plans.RouteNeeds{Discover: true, Recorded: true, Grants: true}}, true, true},
		{"a canary through the route recorded", statefulRoutes{needs: plans.RouteNeeds{Discover: true, Recorded: true}, record: record}, true, false},
		{"a canary through the route named", statefulRoutes{needs: plans.RouteNeeds{Named: ref}}, true, false},
		{"--route none", statefulRoutes{}, false, true},
		{"--route none on a routed canary", statefulRoutes{record: record}, true, false},
		{"promote without a route", statefulRoutes{needs: plans.RouteNeeds{Recorded: true}}, false, true},
		{"promote through a route", statefulRoutes{needs: plans.RouteNeeds{Recorded: true}, record: record}, true, false},
	} {
		if read, only := tc.routes.read(), tc.routes.discoverOnly(); read != tc.read || only != tc.discoverOnly {
			t.Errorf("%s: read %v, discover only %v; want %v, %v", tc.name, read, only, tc.read, tc.discoverOnly)
		}
	}
}
