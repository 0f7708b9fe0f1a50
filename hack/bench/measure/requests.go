//go:build linux

package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// workflowNamespace holds release shop, taken through every verb in turn,
// and the releases of StatefulSet db and DaemonSet agent, read.
const workflowNamespace = "bench"

// workflow is every verb of kubectl-ship in an order that is a real
// release's: each step starts from where the last one left it.
var workflow = [][]string{
	{"status", "shop"},
	{"list"},
	{"history", "shop"},
	{"status", "db"},
	{"history", "db"},
	{"status", "agent"},
	{"history", "agent"},
	{"canary", "shop", "--image", image("shop", "2.0"), "--weight", "25"},
	{"canary", "shop", "--image", image("shop", "2.0"), "--weight", "25"},
	{"promote", "shop"},
	{"canary", "shop", "--image", image("shop", "3.0"), "--weight", "25"},
	{"abort", "shop"},
	{"scale", "shop", "--replicas", "6"},
	{"set", "image", "shop", image("shop", "4.0")},
	{"bluegreen", "shop", "--image", image("shop", "5.0")},
	{"bluegreen-switch", "shop"},
	{"bluegreen-switch", "shop", "--to", "blue"},
	{"bluegreen", "cleanup", "shop", "--delete"},
}

// requestKinds are the table's columns, in the order requests come.
var requestKinds = []string{"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"}

func requests(c *cluster, _ int) (string, error) {
	ctx := context.Background()
	if err := c.createNamespace(ctx, workflowNamespace); err != nil {
		return "", err
	}
	if err := c.createRelease(ctx, workflowNamespace, "shop", 4); err != nil {
		return "", err
	}
	if err := c.waitAvailable(ctx, workflowNamespace, 1, time.Minute); err != nil {
		return "", err
	}
	if err := c.createWorkloads(ctx, workflowNamespace, 4); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## API requests per command\n\n")
	fmt.Fprintf(&b, "Release shop (4 pods behind Service shop) taken through every verb, and the releases of StatefulSet db (4 pods) and DaemonSet agent (on the cluster's 4 nodes) beside it read, counted from each command's `-v=6` log. The e2e suite holds the verbs to these counts exactly (`TestRequestBudgets`; `TestListRequestsDoNotGrow` holds db's and agent's at 2 and 6 pods). `list` reads the StatefulSets and DaemonSets too; a read of db or agent first looks for a Deployment of the name (status lists the Deployments, history gets it), one of agent then for a StatefulSet (GET).\n\n")
	fmt.Fprintf(&b, "| Command | Requests | %s | Wall s |\n|---|--:|%s--:|\n",
		strings.Join(requestKinds, " | "), strings.Repeat("--:|", len(requestKinds)))
	for _, args := range workflow {
		cmd := c.command(ship, workflowNamespace, args...)
		counts, s, err := c.requests(cmd, workflowNamespace)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "| `%s` | %d |", strings.Join(args, " "), counts.Total())
		for _, kind := range requestKinds {
			fmt.Fprintf(&b, " %d |", counts[kind])
		}
		fmt.Fprintf(&b, " %.2f |\n", s.wall.Seconds())
	}
	b.WriteString(routedRequests)
	fmt.Fprintln(&b, "\nEvery verb first reads the release's lock (a GET of its Lease) and the release: a LIST of the namespace's Deployments and one of its Services (canary and scale also list the HorizontalPodAutoscalers; canary and bluegreen-switch the HTTPRoutes, and finding none the ReferenceGrants). A command that writes checks the user's access to all of its plan in one POST (a SelfSubjectRulesReview), asks who the user is for the record (a SelfSubjectReview POST), takes the lock from the Lease as read (a POST or PUT), releases it with the operation recorded (PUT) and leaves an Event (POST). A wait is one WATCH; a command with nothing to do writes nothing.")
	return b.String(), nil
}

// routedRequests are the requests of the verbs through routes, which the
// bench's cluster (no Gateway API) cannot take: TestRouteRequestBudgets
// holds the verbs to them exactly.
const routedRequests = `
Through a route, from the e2e suite's counts (` + "`TestRouteRequestBudgets`" + ` holds them exactly; a wait for ship's Services' endpoints adds a WATCH only when they are not ready when listed). Each write of a route goes first through the API server with ` + "`dryRun=All`" + `, before the command's first write, so that what the API server or an admission policy would refuse of it is refused with nothing changed: one request per routed command, in the DRY RUN column (counted in its kind's column too).

| Command | Requests | GET | LIST | WATCH | POST | PUT | PATCH | DELETE | Dry run |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| ` + "`canary ctwoc --image ... --weight 5 --header X-Canary=always`" + ` (HTTPRoute, new) | 18 | 1 | 6 | 1 | 7 | 1 | 2 | 0 | 1 PATCH |
| ` + "`canary ctwoc --image ... --weight 20`" + ` (resize) | 14 | 1 | 6 | 0 | 3 | 2 | 2 | 0 | 1 PATCH |
| ` + "`promote ctwoc`" + ` | 17 | 1 | 4 | 1 | 3 | 2 | 3 | 3 | 1 PATCH |
| ` + "`abort ctwoc`" + ` | 15 | 1 | 4 | 0 | 3 | 2 | 2 | 3 | 1 PATCH |
| ` + "`bluegreen-switch ctwoc`" + ` (HTTPRoute) | 13 | 1 | 4 | 0 | 4 | 2 | 2 | 0 | 1 PATCH |
| ` + "`bluegreen-switch ctwoc --to blue`" + ` | 13 | 1 | 4 | 0 | 3 | 2 | 2 | 1 | 1 PATCH |
| ` + "`canary shop --image ... --weight 10 --route ingress/shop`" + ` | 16 | 1 | 5 | 1 | 8 | 1 | 0 | 0 | 1 POST |
| ` + "`abort shop`" + ` (ingress) | 13 | 1 | 4 | 0 | 3 | 2 | 0 | 3 | none |
`
