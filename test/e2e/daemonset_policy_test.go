//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// annotateWorkload gives workload kind/name the release policy doc, as its
// manifest in Git would carry it.
func annotateWorkload(t *testing.T, ns, kind, name, doc string) {
	t.Helper()
	mustKubectl(t, "annotate", kind, name, "-n", ns, "--overwrite", "kubectl-ship.dev/policy="+doc)
}

// webhookNodes is a webhook that passes every check of DaemonSet agent's
// canary of agent2 and keeps, for each step it is told, the nodes whose pod
// runs agent2 as the cluster showed them at that step's last check: the
// step's nodes once its hold began.
func webhookNodes(t *testing.T, ns string) (*httptest.Server, func() map[int][]string) {
	client := apiClient(t)
	var mu sync.Mutex
	seen := map[int][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var p gate.Payload
		if json.NewDecoder(r.Body).Decode(&p) != nil || p.Release != "agent" || p.Images["agent"] != agent2 || p.Step == 0 {
			return
		}
		nodes := nodesRunning(r.Context(), client, ns, agent2)
		mu.Lock()
		seen[p.Step] = nodes
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[int][]string {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(seen)
	}
}

// nodesRunning are the nodes, sorted, whose pod of agent (not being
// deleted) runs image.
func nodesRunning(ctx context.Context, client kubernetes.Interface, ns, image string) []string {
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=agent"})
	if err != nil {
		return []string{err.Error()}
	}
	var nodes []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Spec.Containers[0].Image == image {
			nodes = append(nodes, p.Spec.NodeName)
		}
	}
	slices.Sort(nodes)
	return nodes
}

// A release policy in a DaemonSet's annotation (steps as numbers of nodes
// or percentages of them, interval, gates) drives its canary as --steps and
// --interval would: the policy's webhook is told each step, and at each
// step the pods show the canary on the step's nodes only; then it promotes.
func TestDaemonSetPolicySteps(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	before := readDaemon(t, ns)
	hook, steps := webhookNodes(t, ns)
	annotateWorkload(t, ns, "daemonset", "agent", policyDoc(`steps: [1, "50%"]`, "interval: 3s", "checkEvery: 1s", "readyGrace: 3s", "webhooks: ["+hook.URL+"]"))

	res := mustShip(t, ns, "canary", "agent", "--image", agent2)
	if !strings.Contains(res.stderr, "holding step 1 of 2 (1 node)") || !strings.Contains(res.stderr, "holding step 2 of 2 (50%)") {
		t.Errorf("the policy's steps should drive the canary:\n%s", res.stderr)
	}
	if !strings.HasSuffix(res.stdout, "daemonset.apps/agent promoted\n") {
		t.Errorf("stdout %q", res.stdout)
	}
	want := map[int][]string{1: {ns + "-0"}, 2: {ns + "-0", ns + "-1"}}
	if got := steps(); len(got) != 2 || !slices.Equal(got[1], want[1]) || !slices.Equal(got[2], want[2]) {
		t.Errorf("the policy's webhook was told steps whose canary nodes were %v, want %v", got, want)
	}
	mustKubectl(t, "rollout", "status", "daemonset/agent", "-n", ns, "--timeout=60s")
	for node, p := range readDaemon(t, ns) {
		if p.Image != agent2 || !p.Ready || p.UID == before[node].UID {
			t.Errorf("node %s after the promotion: %+v, want a new ready pod of %s", node, p, agent2)
		}
	}
}

// `kubectl ship policy NAME` shows the effective policy of a StatefulSet and
// of a DaemonSet, found as the verbs find them, named as kubectl names
// them, each value with where it came from; a Deployment's costs one
// request, a StatefulSet's two, a DaemonSet's three (the kinds looked for
// before it), one more with a namespace default.
func TestPolicyOfEachWorkloadKind(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 2, "")
	seedDaemonSet(t, ns, 2, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	annotateWorkload(t, ns, "statefulset", "db", policyDoc("steps: [25, 50]", "interval: 2m"))
	annotateWorkload(t, ns, "daemonset", "agent", policyDoc(`steps: [1, "50%"]`, "checkEvery: 5s"))
	mustKubectl(t, "create", "configmap", "team", "-n", ns, "--from-literal=policy.yaml="+policyDoc("interval: 10m", "failureLimit: 2"))
	mustKubectl(t, "annotate", "daemonset", "agent", "-n", ns, "kubectl-ship.dev/policy-defaults=team")

	cases := []struct {
		name  string
		lines []string
		gets  int
	}{
		{"db", []string{"Release policy of statefulset.apps/db (namespace " + ns + ")", "steps 25,50 statefulset/db", "interval 2m statefulset/db", "strategy canary default"}, 2},
		{"agent", []string{"Release policy of daemonset.apps/agent (namespace " + ns + ")", "steps 1,50% daemonset/agent", "checkEvery 5s daemonset/agent",
			"interval 10m configmap/team (namespace default)", "failureLimit 2 configmap/team (namespace default)"}, 4},
	}
	for _, c := range cases {
		res := mustShip(t, ns, "-v=6", "policy", c.name)
		shown := map[string]bool{}
		for _, line := range strings.Split(res.stdout, "\n") {
			shown[strings.Join(strings.Fields(line), " ")] = true
		}
		for _, line := range c.lines {
			if !shown[line] {
				t.Errorf("policy %s should show %q:\n%s", c.name, line, res.stdout)
			}
		}
		if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"GET": c.gets}); off != "" {
			t.Errorf("policy %s: %s\n%s", c.name, off, res.stderr)
		}
	}
	if out := mustShip(t, ns, "policy", "agent", "-o", "yaml").stdout; !strings.Contains(out, "- 1\n") || !strings.Contains(out, "50%") {
		t.Errorf("-o yaml should give the DaemonSet's steps as a document --policy takes back:\n%s", out)
	}
	assertRefused(t, ns, 1, "deployment nothing not found in namespace "+ns, "policy", "nothing")
}

// A policy field a DaemonSet's canary cannot follow is refused in one line
// naming the field and where it came from (its annotation, the namespace
// default, --policy), by canary and by policy alike, with nothing changed.
func TestDaemonSetPolicyRefusals(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 3, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	fields := []struct{ spec, field string }{
		{"route: httproute/web", "route"},
		{"weightTotal: 1000", "weightTotal"},
		{"header: X-Canary=1", "header"},
		{"cookie: canary", "cookie"},
		{"sticky: true", "sticky"},
		{"stickySeconds: 600", "stickySeconds"},
	}
	const annotation = "daemonset agent: annotation kubectl-ship.dev/policy: "
	for _, f := range fields {
		annotateWorkload(t, ns, "daemonset", "agent", policyDoc(`steps: [1, "50%"]`, f.spec))
		want := annotation + "spec." + f.field + ": does not apply to a DaemonSet"
		assertDaemonRefused(t, ns, want, "canary", "agent", "--image", agent2)
		assertDaemonRefused(t, ns, want, "policy", "agent")
	}
	annotateWorkload(t, ns, "daemonset", "agent", policyDoc("strategy: blueGreen"))
	assertDaemonRefused(t, ns, annotation+"spec.strategy: a DaemonSet has no blue-green switch", "canary", "agent", "--image", agent2)

	annotateWorkload(t, ns, "daemonset", "agent", policyDoc(`steps: [1, "50%"]`))
	file := writeFile(t, "policy.yaml", policyDoc("route: httproute/web"))
	assertDaemonRefused(t, ns, "--policy "+file+": spec.route: does not apply to a DaemonSet", "canary", "agent", "--image", agent2, "--policy", file)
	assertDaemonRefused(t, ns, "--policy "+file+": spec.route: does not apply to a DaemonSet", "policy", "agent", "--policy", file)
	mustKubectl(t, "create", "configmap", "team", "-n", ns, "--from-literal=policy.yaml="+policyDoc("sticky: true"))
	mustKubectl(t, "annotate", "daemonset", "agent", "-n", ns, "kubectl-ship.dev/policy-defaults=team")
	assertDaemonRefused(t, ns, "configmap team: policy.yaml: spec.sticky: does not apply to a DaemonSet", "canary", "agent", "--image", agent2)
}
