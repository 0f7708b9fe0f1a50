//go:build e2e

package e2e

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// seedRoutedStatefulSet makes in ns StatefulSet db of 4 pods, Service db
// selecting them, and httproute web sending traffic to it.
func seedRoutedStatefulSet(t *testing.T, ns string) {
	t.Helper()
	seedStatefulSet(t, ns, 4, "")
	apply(t, ns, `apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 80}]
---
`+httpRoute("web", "db"))
}

// routeWeights is what kubectl shows of httproute web's backends, rule by
// rule: "db-stable=90 db-canary=10 | ...".
func routeWeights(t *testing.T, ns string) string {
	t.Helper()
	out := mustKubectl(t, "get", "httproute", "web", "-n", ns, "-o", `jsonpath={range .spec.rules[*]}{range .backendRefs[*]}{.name}={.weight} {end}|{end}`)
	return strings.TrimSpace(out)
}

// endpointPods names the pods behind the ready endpoints of a Service, as
// kubectl shows its EndpointSlices, sorted.
func endpointPods(t *testing.T, ns, service string) string {
	t.Helper()
	out := mustKubectl(t, "get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name="+service,
		"-o", `jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.targetRef.name} {end}`)
	pods := strings.Fields(out)
	sort.Strings(pods)
	return strings.Join(pods, " ")
}

// eventuallyTracked waits until each of ship's Services serves exactly the
// pods given.
func eventuallyTracked(t *testing.T, ns, canary, stable string) {
	t.Helper()
	eventually(t, "ship's Services select the pods of each revision", func() (bool, string) {
		c, s := endpointPods(t, ns, "db-canary"), endpointPods(t, ns, "db-stable")
		return c == canary && s == stable, "canary: " + c + "; stable: " + s
	})
}

// split10 is httproute web's backends, as routeWeights shows them, once the
// canary of db gets 10% of its traffic.
const split10 = "db-stable=90 db-canary=10 |db-stable=90 db-canary=10 |other=1 |"

// A StatefulSet's canary through an HTTPRoute: the route's weights are
// exactly those asked, ship's Services select the update revision's pods
// and the current revision's, the route never points at a Service without
// ready endpoints, and abort and promote put the route back byte for byte.
func TestStatefulSetCanaryThroughAnHTTPRoute(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedRoutedStatefulSet(t, ns)
	before, weightsBefore := routeSpec(t, ns, "web"), routeWeights(t, ns)
	watcher := watchRouteBackends(t, ns, "db")

	res := mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "10", "--route", "httproute/web")
	for _, want := range []string{"weight 10% through httproute/web, whatever the pods: 1 canary pod beside 3 stable (pod db-3 of statefulset db)",
		"for httproute/web kubectl-ship creates service db-canary and service db-stable; promote and abort delete them"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the plan should say %q:\n%s", want, res.stderr)
		}
	}
	if got := routeWeights(t, ns); got != split10 {
		t.Errorf("route weights at 10%%: %q, want %q", got, split10)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	eventuallyTracked(t, ns, "db-3", "db-0 db-1 db-2")
	assertListedWeight(t, ns, "10")

	// Resized through the route it runs through: two pods carry 40%.
	mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "40")
	if got, want := routeWeights(t, ns), "db-stable=60 db-canary=40 |db-stable=60 db-canary=40 |other=1 |"; got != want {
		t.Errorf("route weights at 40%%: %q, want %q", got, want)
	}
	eventuallyTracked(t, ns, "db-2 db-3", "db-0 db-1")
	assertListedWeight(t, ns, "40")

	mustShip(t, ns, "abort", "db")
	if after := routeSpec(t, ns, "web"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
	assertNoShipServices(t, ns)
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")

	mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "25", "--route", "httproute/web")
	eventuallyTracked(t, ns, "db-3", "db-0 db-1 db-2")
	mustShip(t, ns, "promote", "db")
	if after := routeSpec(t, ns, "web"); after != before || routeWeights(t, ns) != weightsBefore {
		t.Errorf("after promote the route's spec differs:\n got %s\nwant %s", after, before)
	}
	assertNoShipServices(t, ns)
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
	watcher.assertAlwaysServed(t)
}

// A StatefulSet's canary without --route finds the only HTTPRoute sending
// traffic to its Service, as a Deployment's does: the route's weights
// become 90/10 and abort puts it back byte for byte. With a second route
// to the Service it is refused in one line and nothing changes; --route
// none takes its share of the pods and leaves the routes alone.
func TestStatefulSetCanaryFindsItsRoute(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedRoutedStatefulSet(t, ns)
	before := routeSpec(t, ns, "web")

	res := mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "10")
	if want := "weight 10% through httproute/web, whatever the pods"; !strings.Contains(res.stderr, want) {
		t.Errorf("the plan should say %q:\n%s", want, res.stderr)
	}
	if got := routeWeights(t, ns); got != split10 {
		t.Errorf("route weights at 10%%: %q, want %q", got, split10)
	}
	eventuallyTracked(t, ns, "db-3", "db-0 db-1 db-2")
	mustShip(t, ns, "abort", "db")
	if after := routeSpec(t, ns, "web"); after != before {
		t.Errorf("after abort the route's spec differs:\n got %s\nwant %s", after, before)
	}
	assertNoShipServices(t, ns)
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")

	apply(t, ns, httpRoute("api", "db"))
	assertRefused(t, ns, 1, "httproutes api, web send traffic to service db: name the one to drive with --route httproute/NAME (or --route none for the share of the pods)",
		"canary", "db", "--image", db2, "--weight", "10")

	mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "1", "--route", "none")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	if after := routeSpec(t, ns, "web"); after != before {
		t.Errorf("--route none changed the route:\n got %s\nwant %s", after, before)
	}
	assertNoShipServices(t, ns)
}

// assertListedWeight checks that list gives release db's canary the
// route's weight, not its share of the pods: in the table's WEIGHT column
// and in -o json.
func assertListedWeight(t *testing.T, ns, weight string) {
	t.Helper()
	rows := mustShip(t, ns, "list").stdout
	if !regexp.MustCompile(`(?m)^db\s+canary\s+\S+\s+\S+\s+\S+\s+` + weight + `% \(route\)\s`).MatchString(rows) {
		t.Errorf("list should show the route's weight %s%%:\n%s", weight, rows)
	}
	if got := mustShip(t, ns, "list", "-o", `jsonpath={.items[?(@.metadata.name=="db")].routes[0].canaryWeight}`).stdout; got != weight {
		t.Errorf("list -o json: the canary's weight through the route is %q, want %s", got, weight)
	}
}

func assertNoShipServices(t *testing.T, ns string) {
	t.Helper()
	if got := mustKubectl(t, "get", "services", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}"); got != "db" {
		t.Errorf("services after the canary ended: %q, want only db", got)
	}
}

// Every bad input of a routed StatefulSet canary is one line, and nothing
// changes.
func TestStatefulSetRouteBadInputs(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedRoutedStatefulSet(t, ns)
	apply(t, ns, httpRoute("elsewhere", "other"))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a route not sending to its service", []string{"--weight", "10", "--route", "httproute/elsewhere"},
			"httproute elsewhere does not send traffic to a service of statefulset db (its backends there: other; services selecting its pods: db)"},
		{"a route that does not exist", []string{"--weight", "10", "--route", "httproute/nope"}, "httproute nope not found in namespace " + ns},
		{"a weight the pods cannot carry", []string{"--weight", "90", "--route", "httproute/web"},
			"weight 90% through httproute/web needs 4 of the 4 pods of statefulset db to carry it, and at most 3 can run the canary: give at most --weight 75"},
		{"too few pods for the weight", []string{"--weight", "50", "--replicas", "1", "--route", "httproute/web"}, "--replicas 1: 1 of the 4 pods of statefulset db cannot carry 50%"},
		{"a weight over the total", []string{"--weight", "120", "--route", "httproute/web"}, "--weight must be between 0 and 100, not 120"},
		{"an ingress", []string{"--weight", "10", "--route", "ingress/web"}, "a StatefulSet's canary runs through an HTTPRoute"},
		{"sticky", []string{"--weight", "10", "--route", "httproute/web", "--sticky"}, "--sticky"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertRefused(t, ns, 1, tc.want, append([]string{"canary", "db", "--image", db2}, tc.args...)...)
		})
	}
}
