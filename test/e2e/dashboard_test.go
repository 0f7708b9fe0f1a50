//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// rowOf is the JavaScript of the overview's row of release name in the
// group of context: undefined until it shows.
func rowOf(context, name string) string {
	return fmt.Sprintf(`(() => {
		const group = [...document.querySelectorAll("#overview .group")].find(g => g.querySelector(".ctx").innerText === %q);
		return group && [...group.querySelectorAll("tr.release")].find(r => r.querySelector("td.name a").innerText === %q);
	})()`, context, name)
}

// The overview of two clusters and one that cannot be reached; a canary
// started from the command line shows in it, and its traffic bar follows a
// resize, each within 2 s and without a reload; the release's page
// promotes it, after a confirmation that shows what --dry-run=client
// prints, and the cluster is promoted.
func TestDashboardFleet(t *testing.T) {
	fleet(t)
	ns := fleetRelease(t)
	d := startDashboard(t, fleetEnv.kubeconfig, "-n", ns, "--contexts", "fleet-a,fleet-b,fleet-dead")
	b := newBrowser(t)
	tab := b.open(t, d.url)

	waitJS(t, tab, 10*time.Second, "the three contexts", `document.querySelectorAll("#overview .group").length === 3`)
	groups := js[[]string](t, tab, `[...document.querySelectorAll("#overview .group")].map(g => g.innerText)`)
	for i, want := range [][]string{{"fleet-a", "ctwoc", "none", "Healthy", v1, "stable 100%"}, {"fleet-b", "ctwoc", v1},
		{"fleet-dead", "unreachable", "Cannot read the releases of context fleet-dead", "connection refused"}} {
		for _, w := range want {
			if !strings.Contains(groups[i], w) {
				t.Errorf("group %d does not show %q:\n%s", i+1, w, groups[i])
			}
		}
	}
	js[bool](t, tab, `window.notReloaded = true`)

	fleetShip(t, nil, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--context", "fleet-a")
	took := waitJS(t, tab, 2*time.Second, "the canary at 25% in the overview",
		rowOf("fleet-a", "ctwoc")+`?.querySelector("td.traffic").innerText.includes("canary 25%")`)
	t.Logf("the canary showed %s after its command ended", took.Round(time.Millisecond))
	fleetShip(t, nil, ns, "canary", "ctwoc", "--image", v2, "--weight", "50", "--context", "fleet-a")
	took = waitJS(t, tab, 2*time.Second, "the traffic bar at 50%",
		rowOf("fleet-a", "ctwoc")+`?.querySelector("rect.r-canary")?.getAttribute("width") === "50"`)
	t.Logf("the resize showed %s after its command ended", took.Round(time.Millisecond))
	if !js[bool](t, tab, `window.notReloaded === true`) {
		t.Error("the page was reloaded")
	}
	screenshot(t, tab, "dashboard-fleet.png")

	// The release's page, through its link.
	follow(t, tab, `#overview .group:first-child td.name a`)
	waitJS(t, tab, 10*time.Second, "the release's page", `document.querySelector("#release button[data-action=promote]") !== null`)
	waitJS(t, tab, 5*time.Second, "its pods", `document.querySelectorAll("#release .pod.ready").length === 6`)
	click(t, tab, `#release button[data-action=promote]`)
	waitJS(t, tab, 10*time.Second, "the plan", `!document.getElementById("confirm-go").disabled`)
	plan := js[string](t, tab, `document.getElementById("confirm-plan").textContent`)
	dry := fleetShip(t, nil, ns, "promote", "ctwoc", "--dry-run=client", "--context", "fleet-a")
	if want := dry.stderr + dry.stdout; strings.TrimSpace(plan) != strings.TrimSpace(want) || !strings.Contains(plan, "(dry run)") {
		t.Errorf("the confirmation shows:\n%s\nwant what --dry-run=client prints:\n%s", plan, want)
	}
	if what := js[string](t, tab, `document.getElementById("confirm-what").textContent`); !strings.HasPrefix(what, "kubectl ship promote ctwoc in namespace "+ns+" of context fleet-a") {
		t.Errorf("the confirmation says %q", what)
	}
	click(t, tab, `#confirm-go`)
	waitJS(t, tab, 2*time.Minute, "the outcome", `!document.getElementById("confirm-outcome").hidden`)
	if class, text := js[string](t, tab, `document.getElementById("confirm-outcome").className`),
		js[string](t, tab, `document.getElementById("confirm-outcome").textContent`); class != "outcome ok" || !strings.Contains(text, "deployment.apps/ctwoc-canary deleted") {
		t.Errorf("the outcome (%s):\n%s", class, text)
	}

	// From the cluster: promoted, by the dashboard, as its record says.
	c := fleetEnv.clients["fleet-a"]
	if canaryOf(t, "fleet-a", ns) != nil {
		t.Error("ctwoc-canary is still there")
	}
	stable, err := c.AppsV1().Deployments(ns).Get(context.Background(), "ctwoc", metav1.GetOptions{})
	if err != nil || stable.Spec.Template.Spec.Containers[0].Image != v2 {
		t.Errorf("ctwoc is not promoted to %s: %v", v2, err)
	}
	lease, err := c.CoordinationV1().Leases(ns).Get(context.Background(), "kubectl-ship-ctwoc", metav1.GetOptions{})
	if err != nil || !strings.Contains(lease.Annotations["kubectl-ship.dev/history"], `"command":"kubectl ship promote ctwoc (dashboard)"`) {
		t.Errorf("the record does not hold the dashboard's promote: %v", err)
	}
	click(t, tab, `#confirm-cancel`)
	waitJS(t, tab, 2*time.Second, "the page, promoted", `document.querySelector("#release .strategy").innerText === "none"`)
	b.checkClean(t)
}

// A user whose RBAC lets them read but not change a release sees the
// action refused, with the reason, and nothing changes.
func TestDashboardRefusesWhatRBACForbids(t *testing.T) {
	fleet(t)
	ns := fleetRelease(t)
	fleetShip(t, nil, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--context", "fleet-b")
	// What README says the dashboard needs to read: view, and the locks.
	c := fleetEnv.clients["fleet-b"]
	bindRoleIn(t, c, ns, "ship-nobody", &rbacv1.Role{Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"list", "watch"}}}})
	if _, err := c.RbacV1().RoleBindings(ns).Create(context.Background(), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "ship-nobody-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ship-nobody"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns)

	d := startDashboard(t, fleetEnv.kubeconfig, "-n", ns, "--context", "fleet-forbidden")
	b := newBrowser(t)
	tab := b.open(t, d.at("/release?context=fleet-forbidden&namespace="+ns+"&name=ctwoc"))
	waitJS(t, tab, 10*time.Second, "the canary and its pods", `document.querySelector("#release").innerText.includes("canary 25%") && document.querySelectorAll("#release .pod").length === 4`)
	if operations := js[string](t, tab, `document.querySelector("#release").innerText`); !strings.Contains(operations, "kubectl ship canary ctwoc --image "+v2+" --weight 25") {
		t.Errorf("the record, read through the locks' watch, does not show the canary:\n%s", tail(operations, 2000))
	}
	click(t, tab, `#release button[data-action=promote]`)
	waitJS(t, tab, 10*time.Second, "the plan", `!document.getElementById("confirm-go").disabled`)
	click(t, tab, `#confirm-go`)
	waitJS(t, tab, 30*time.Second, "the outcome", `!document.getElementById("confirm-outcome").hidden`)
	text := js[string](t, tab, `document.getElementById("confirm-outcome").textContent`)
	if class := js[string](t, tab, `document.getElementById("confirm-outcome").className`); class != "outcome error" ||
		!strings.Contains(text, fmt.Sprintf(`error: forbidden: kubectl-ship needs "patch" on deployments.apps in namespace %s`, ns)) {
		t.Errorf("the outcome (%s):\n%s", class, text)
	}
	if after := clusterSnapshot(t, fleetEnv.clients["fleet-b"], ns); after != before {
		t.Errorf("the cluster changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	b.checkClean(t)
}

// A progression's page: its steps as a timeline with the hold's time left,
// its gates' last check, and the values a Prometheus analysis measured over
// time as a chart, each value as the page saw it come.
func TestDashboardProgression(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	exp := newExporter(t)
	prom := startPrometheus(t, strings.TrimPrefix(exp.URL, "http://"))
	exp.setTraffic(ns, "canary", 100, 0.02)
	waitForData(t, prom, ns)
	run := startHolding(t, ns, progress("--analysis", errorRate, "--prometheus", prom.URL, "--interval", "10m"))
	t.Cleanup(func() { _ = run.cmd.Process.Signal(syscall.SIGINT); _ = run.cmd.Wait() })
	current := strings.TrimSpace(mustKubectl(t, "config", "current-context"))
	// Releases beside it, as a namespace has them: one blue-green, switched
	// to green; one canary at half of the traffic; one with no strategy.
	apply(t, ns, deploymentAndService("checkout", "example/checkout:4.2.1", 2)+"---\n"+deploymentAndService("search", "example/search:1.7.0", 3)+`---
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments}
spec:
  replicas: 2
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments, version: "1.0.0"}}
    spec: {containers: [{name: payments, image: "example/payments:1.0.0"}]}
---
`+service("payments", "payments"))
	for _, name := range []string{"checkout", "search", "payments"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+name, "--timeout=60s")
	}
	mustShip(t, ns, "bluegreen", "payments", "--image", "example/payments:2.0.0")
	mustShip(t, ns, "bluegreen-switch", "payments")
	mustShip(t, ns, "canary", "search", "--image", "example/search:1.8.0", "--weight", "50")

	d := startDashboard(t, env.kubeconfig, "-n", ns)
	b := newBrowser(t)
	tab := b.open(t, d.at("/release?context="+current+"&namespace="+ns+"&name=ctwoc"))
	waitJS(t, tab, 10*time.Second, "the timeline", `document.querySelectorAll("#release .timeline li").length === 2`)
	if steps := js[string](t, tab, `[...document.querySelectorAll("#release .timeline li")].map(s => s.className + ":" + s.innerText).join(" ")`); steps != "st-current:25% st-pending:50%" {
		t.Errorf("the timeline: %q", steps)
	}
	if left := js[string](t, tab, `document.querySelector("#release time.left").innerText`); !regexp.MustCompile(`^\dm\d+s$`).MatchString(left) {
		t.Errorf("the time left: %q", left)
	}
	// The error ratio rises, then falls: the chart shows each value.
	for _, ratio := range []float64{0.05, 0.03} {
		time.Sleep(6 * time.Second)
		exp.setTraffic(ns, "canary", 100, ratio)
	}
	waitJS(t, tab, 20*time.Second, "a chart of several values", `document.querySelectorAll("#release .chart circle").length >= 3`)
	gates := js[string](t, tab, `document.querySelector("#release table.grid:has(.gate)").innerText`)
	for _, want := range []string{"pods", "Pass", "sum(rate(http_requests_total", "(want < 0.1)"} {
		if !strings.Contains(gates, want) {
			t.Errorf("the gates do not show %q:\n%s", want, gates)
		}
	}
	screenshot(t, tab, "dashboard-release.png")

	follow(t, tab, `a.brand`)
	waitJS(t, tab, 5*time.Second, "the overview's progression", rowOf(current, "ctwoc")+`?.querySelector(".steps .st-current")?.innerText === "25%"`)
	// A page just loaded may still be taking the rows' last changes.
	for name, want := range map[string]string{"payments": "green 100%", "search": "canary 50%", "checkout": "stable 100%"} {
		waitJS(t, tab, 10*time.Second, name+"'s traffic "+want,
			rowOf(current, name)+`?.querySelector("td.traffic")?.innerText.includes(`+strconv.Quote(want)+`) === true`)
	}
	screenshot(t, tab, "dashboard-overview.png")

	// Back to blue, and a scale, through the pages of those releases.
	tab = b.open(t, d.at("/release?context="+current+"&namespace="+ns+"&name=payments"))
	confirmAction(t, tab, `button[data-action=switch][data-to=blue]`, "service/payments switched to blue")
	if sel := serviceSelector(t, ns, "payments"); !strings.Contains(sel, `"version":"1.0.0"`) {
		t.Errorf("payments is not switched back to blue: %s", sel)
	}
	tab = b.open(t, d.at("/release?context="+current+"&namespace="+ns+"&name=checkout"))
	waitJS(t, tab, 10*time.Second, "the page", `document.getElementById("replicas") !== null`)
	js[string](t, tab, `document.getElementById("replicas").value = "4"`)
	confirmAction(t, tab, `button[data-action=scale]`, "deployment.apps/checkout scaled")
	if got := mustKubectl(t, "get", "deployment", "checkout", "-n", ns, "-o", "jsonpath={.spec.replicas}"); got != "4" {
		t.Errorf("checkout has %s replicas, want 4", got)
	}
	b.checkClean(t)
}

// confirmAction clicks an action's button on a release's page, confirms
// the plan it shows, and fails the test unless the outcome holds want.
func confirmAction(t *testing.T, tab tab, button, want string) {
	t.Helper()
	waitJS(t, tab, 10*time.Second, "the button "+button, `document.querySelector("#release `+button+`:not([disabled])") !== null`)
	click(t, tab, "#release "+button)
	waitJS(t, tab, 10*time.Second, "the plan", `!document.getElementById("confirm-go").disabled`)
	if plan := js[string](t, tab, `document.getElementById("confirm-plan").textContent`); !strings.Contains(plan, "(dry run)") {
		t.Errorf("the plan of %s:\n%s", button, plan)
	}
	click(t, tab, `#confirm-go`)
	waitJS(t, tab, 2*time.Minute, "the outcome", `!document.getElementById("confirm-outcome").hidden`)
	if text := js[string](t, tab, `document.getElementById("confirm-outcome").textContent`); !strings.Contains(text, want) {
		t.Errorf("the outcome of %s:\n%s\nwant %q", button, text, want)
	}
}
