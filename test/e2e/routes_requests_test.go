//go:build e2e

package e2e

import (
	"maps"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// TestRouteRequestBudgets counts the requests of the verbs through routes,
// as TestRequestBudgets does for the others. A routed release's route is
// one more LIST per read of it (the namespace's HTTPRoutes, or its
// Ingresses); waiting until ship's Services have ready endpoints lists
// their EndpointSlices, and watches them only if they have none yet, so up
// to endpointWaits WATCHes more than the budget are allowed. Every write of
// a route (an HTTPRoute's PATCH, the canary Ingress's POST) goes first
// through the API server with dryRun=All, before the command's first
// write: one more request of its kind, so that what the API server (or an
// admission policy) would refuse of the route is refused with nothing
// changed.
func TestRouteRequestBudgets(t *testing.T) {
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	apply(t, ns, strings.NewReplacer("ctwoc", "shop").Replace(trackService+"---\n"+userIngress))
	apply(t, ns, deployment("shop", v1, 2))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/shop", "--timeout=60s")
	routed := []string{"canary", "ctwoc", "--image", v2, "--weight", "5", "--header", "X-Canary=always"}
	steps := []struct {
		name          string
		args          []string
		budget        requestBudget
		endpointWaits int
	}{
		// Found: the HTTPRoutes are read, no ReferenceGrant; the canary,
		// its two Services (their EndpointSlices listed), then the route.
		// A resize whose canary keeps its size has no rollout to watch.
		{"canary through httproute", routed, requestBudget{"GET": 1, "LIST": 6, "POST": 7, "PUT": 1, "PATCH": 2, "WATCH": 1}, 2},
		{"canary re-run", routed, requestBudget{"GET": 1, "LIST": 6}, 0},
		{"canary resize", []string{"canary", "ctwoc", "--image", v2, "--weight", "20"}, requestBudget{"GET": 1, "LIST": 6, "POST": 3, "PUT": 2, "PATCH": 2}, 2},
		{"status", []string{"status", "ctwoc"}, requestBudget{"GET": 1, "LIST": 5}, 0},
		// list: Deployments, StatefulSets, DaemonSets, Services, EndpointSlices, pods, the route.
		{"list", []string{"list"}, requestBudget{"LIST": 7}, 0},
		// The route back once the Service has ready endpoints, then ship's
		// Services and the canary deleted.
		{"promote", []string{"promote", "ctwoc"}, requestBudget{"GET": 1, "LIST": 4, "POST": 3, "PUT": 2, "PATCH": 3, "WATCH": 1, "DELETE": 3}, 1},
		{"canary again", []string{"canary", "ctwoc", "--image", v3, "--weight", "50"}, requestBudget{"GET": 1, "LIST": 6, "POST": 6, "PUT": 2, "PATCH": 2, "WATCH": 1}, 2},
		{"abort", []string{"abort", "ctwoc"}, requestBudget{"GET": 1, "LIST": 4, "POST": 3, "PUT": 2, "PATCH": 2, "DELETE": 3}, 1},
		{"bluegreen", []string{"bluegreen", "ctwoc", "--image", v3}, requestBudget{"GET": 1, "LIST": 2, "POST": 4, "PUT": 2, "PATCH": 2, "WATCH": 2}, 0},
		{"bluegreen-switch through httproute", []string{"bluegreen-switch", "ctwoc"}, requestBudget{"GET": 1, "LIST": 4, "POST": 4, "PUT": 2, "PATCH": 2}, 1},
		{"bluegreen-switch back", []string{"bluegreen-switch", "ctwoc", "--to", "blue"}, requestBudget{"GET": 1, "LIST": 4, "POST": 3, "PUT": 2, "PATCH": 2, "DELETE": 1}, 1},
		{"bluegreen cleanup", []string{"bluegreen", "cleanup", "ctwoc", "--delete"}, requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "DELETE": 1}, 0},
		// ingress-nginx: the namespace's Ingresses read; the canary, its
		// Service, then the canary Ingress.
		{"canary through ingress", []string{"canary", "shop", "--image", v2, "--weight", "10", "--route", "ingress/shop"},
			requestBudget{"GET": 1, "LIST": 5, "POST": 8, "PUT": 1, "WATCH": 1}, 1},
		{"abort through ingress", []string{"abort", "shop"}, requestBudget{"GET": 1, "LIST": 4, "POST": 3, "PUT": 2, "DELETE": 3}, 1},
	}
	for _, step := range steps {
		res := mustShip(t, ns, append([]string{"-v=6"}, step.args...)...)
		requests := requestlog.Parse(res.stderr, ns)
		budget := step.budget
		if extra := requestlog.Count(requests)["WATCH"] - budget["WATCH"]; extra > 0 && extra <= step.endpointWaits {
			budget = maps.Clone(budget)
			budget["WATCH"] += extra
		}
		if off := offBudget(requests, budget); off != "" {
			t.Errorf("%s: %s\nkubectl ship %s made these requests:\n%s",
				step.name, off, strings.Join(step.args, " "), requestlog.Format(requests))
		}
	}
}
