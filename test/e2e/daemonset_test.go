//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

const (
	agent1 = "example/agent:1"
	agent2 = "example/agent:2"
)

// seedDaemonSet adds nodes kwok nodes of the test's own (NS-0, NS-1, ...,
// labelled and tainted ship-e2e-ds=NS, so that no other test's pods land on
// them, deleted when the test ends) and DaemonSet agent of agent1 on them,
// with updateStrategy strategy, and waits until every node runs a ready pod.
func seedDaemonSet(t *testing.T, ns string, nodes int, strategy string) {
	t.Helper()
	var manifest strings.Builder
	for i := range nodes {
		fmt.Fprintf(&manifest, `apiVersion: v1
kind: Node
metadata:
  name: %s-%d
  annotations: {kwok.x-k8s.io/node: fake}
  labels: {ship-e2e-ds: %s, kubernetes.io/hostname: %s-%d, zone: z%d}
spec:
  taints: [{key: ship-e2e-ds, value: %s, effect: NoSchedule}]
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "32", memory: 256Gi, pods: "1000"}
---
`, ns, i, ns, ns, i, i%2, ns)
	}
	t.Cleanup(func() { kubectl(t, "delete", "nodes", "-l", "ship-e2e-ds="+ns, "--wait=false") })
	apply(t, ns, manifest.String())
	apply(t, ns, fmt.Sprintf(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: %s
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {ship-e2e-ds: %s}
      tolerations: [{key: ship-e2e-ds, operator: Exists}]
      containers: [{name: agent, image: %q}]
`, strategy, ns, agent1))
	eventually(t, "daemonset agent ready on every node", func() (bool, string) {
		got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}")
		return got == fmt.Sprintf("%d/%d", nodes, nodes), got
	})
}

// daemonPod is what the cluster shows of the pod of one node.
type daemonPod struct {
	UID, Image, Revision string
	Ready                bool
}

// readDaemon reads the pods of DaemonSet agent by node (those not going away).
func readDaemon(t *testing.T, ns string) map[string]daemonPod {
	t.Helper()
	var pods struct {
		Items []struct {
			Metadata struct {
				UID               string            `json:"uid"`
				Labels            map[string]string `json:"labels"`
				DeletionTimestamp *string           `json:"deletionTimestamp"`
			} `json:"metadata"`
			Spec struct {
				NodeName   string                   `json:"nodeName"`
				Containers []struct{ Image string } `json:"containers"`
			} `json:"spec"`
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	getJSON(t, &pods, "-n", ns, "pods", "-l", "app=agent")
	out := map[string]daemonPod{}
	for _, p := range pods.Items {
		if p.Metadata.DeletionTimestamp != nil {
			continue
		}
		ready := false
		for _, c := range p.Status.Conditions {
			ready = ready || c.Type == "Ready" && c.Status == "True"
		}
		out[p.Spec.NodeName] = daemonPod{UID: p.Metadata.UID, Image: p.Spec.Containers[0].Image, Revision: p.Metadata.Labels["controller-revision-hash"], Ready: ready}
	}
	return out
}

// daemonView is what the tests compare of DaemonSet agent, across
// namespaces (the namespace written NS): its template and update strategy,
// whether ship's record is on it, each node's image and readiness, and the
// lock.
func daemonView(t *testing.T, ns string) string {
	t.Helper()
	spec := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
	recorded := strings.Contains(mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.metadata.annotations}"), "kubectl-ship")
	pods := readDaemon(t, ns)
	var nodes []string
	for node, p := range pods {
		nodes = append(nodes, fmt.Sprintf("%s=%s ready=%v", node, p.Image, p.Ready))
	}
	sort.Strings(nodes)
	view := fmt.Sprintf("%s\nrecord %v\npods %s\nlock %q", spec, recorded, strings.Join(nodes, ", "), lockHolder(t, ns, "agent"))
	return strings.ReplaceAll(view, ns, "NS")
}

// unavailableWatch follows the pods of DaemonSet agent with 'kubectl get
// --watch' and keeps the most nodes of nodes seen at once without a ready
// pod; stop ends it and returns that number.
func unavailableWatch(t *testing.T, ns string, nodes int) (stop func() int) {
	t.Helper()
	cmd := exec.Command("kubectl", "get", "pods", "-n", ns, "-l", "app=agent", "--watch", "--output-watch-events", "-o",
		`jsonpath={.type} {.object.metadata.name} {.object.spec.nodeName} {.object.status.conditions[?(@.type=="Ready")].status} {.object.metadata.deletionTimestamp}{"\n"}`)
	cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	worst, primed := 0, false
	done := make(chan struct{})
	go func() {
		defer close(done)
		readyOn := map[string]string{} // ready pod -> node
		scanner := bufio.NewScanner(out)
		for scanner.Scan() {
			f := strings.Fields(scanner.Text())
			if len(f) < 3 {
				continue
			}
			name, node := f[1], f[2]
			if f[0] == "DELETED" || len(f) < 4 || f[3] != "True" || len(f) > 4 {
				delete(readyOn, name)
			} else {
				readyOn[name] = node
			}
			covered := map[string]bool{}
			for _, n := range readyOn {
				covered[n] = true
			}
			mu.Lock()
			// Counted from the moment the watch has seen every node ready.
			primed = primed || len(covered) == nodes
			if primed {
				worst = max(worst, nodes-len(covered))
			}
			mu.Unlock()
		}
	}()
	// The first events are the pods as they are: all ready.
	eventually(t, "the watch of the pods", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return primed, "not every node seen ready"
	})
	return func() int {
		_ = cmd.Process.Kill()
		<-done
		_ = cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		return worst
	}
}

// TestDaemonSetCanaryAbortPromote runs a canary on 2 of 4 nodes: only
// their pods change, one node at a time (maxUnavailable 1, watched);
// abort puts the template and update strategy back exactly and the two
// nodes back on the old revision; a canary on the nodes of a selector, then
// promote, rolls every node. Asserted from the pods and the DaemonSet.
func TestDaemonSetCanaryAbortPromote(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 4, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	spec := func() string {
		return mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")
	}
	before, specBefore := readDaemon(t, ns), spec()
	n := func(i int) string { return fmt.Sprintf("%s-%d", ns, i) }

	stop := unavailableWatch(t, ns, 4)
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "2")
	after := readDaemon(t, ns)
	if worst := stop(); worst != 1 {
		t.Errorf("at most %d nodes were without a ready pod at once during the canary, want 1 (maxUnavailable 1)", worst)
	}
	for i, want := range []string{agent2, agent2, agent1, agent1} {
		p := after[n(i)]
		if p.Image != want || !p.Ready {
			t.Errorf("node %s after canary --nodes 2: %+v, want a ready pod of %s", n(i), p, want)
		}
		if changed := p.UID != before[n(i)].UID; changed != (want == agent2) {
			t.Errorf("node %s: pod replaced %v, want %v", n(i), changed, want == agent2)
		}
	}
	if got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy.type}"); got != "OnDelete" {
		t.Errorf("updateStrategy while the canary runs: %s, want OnDelete", got)
	}

	mustShip(t, ns, "abort", "agent")
	back := readDaemon(t, ns)
	if got := spec(); got != specBefore {
		t.Errorf("after abort, template and updateStrategy:\n%s\nwant:\n%s", got, specBefore)
	}
	for i := range 4 {
		p := back[n(i)]
		if p.Image != agent1 || p.Revision != before[n(i)].Revision || !p.Ready {
			t.Errorf("node %s after abort: %+v, want a ready pod of %s on revision %s", n(i), p, agent1, before[n(i)].Revision)
		}
		if i >= 2 && p.UID != before[n(i)].UID {
			t.Errorf("node %s's stable pod was replaced by abort", n(i))
		}
	}
	if strings.Contains(mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.metadata.annotations}"), "kubectl-ship") {
		t.Error("ship's record is still on the DaemonSet after abort")
	}

	// zone=z1 is nodes 1 and 3.
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--node-selector", "zone=z1")
	chosen := readDaemon(t, ns)
	for i := range 4 {
		if want := map[bool]string{true: agent2, false: agent1}[i%2 == 1]; chosen[n(i)].Image != want {
			t.Errorf("node %s after canary --node-selector zone=z1: %+v, want %s", n(i), chosen[n(i)], want)
		}
	}
	mustShip(t, ns, "promote", "agent")
	mustKubectl(t, "rollout", "status", "daemonset/agent", "-n", ns, "--timeout=60s")
	for node, p := range readDaemon(t, ns) {
		if p.Image != agent2 || !p.Ready {
			t.Errorf("node %s after promote: %+v, want a ready pod of %s", node, p, agent2)
		}
	}
	if got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy}"); !strings.Contains(specBefore, got) {
		t.Errorf("after promote, updateStrategy %s, want the user's, as in %s", got, specBefore)
	}
}

// TestDaemonSetOnDeleteWideBatches: under the user's OnDelete with
// maxUnavailable unset (1), and under RollingUpdate with maxUnavailable 2,
// a canary and promote replace the pods within the budget; promote under
// OnDelete finishes by batches and keeps OnDelete.
func TestDaemonSetOnDeleteWideBatches(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, strategy string
		budget         int
	}{
		{"OnDelete", "{type: OnDelete}", 1},
		{"maxUnavailable 2", "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ns := namespace(t)
			seedDaemonSet(t, ns, 5, c.strategy)
			strategy := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy}")
			stop := unavailableWatch(t, ns, 5)
			mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "60%")
			on := 0
			for _, p := range readDaemon(t, ns) {
				if p.Image == agent2 {
					on++
				}
			}
			if on != 3 {
				t.Errorf("canary --nodes 60%% of 5 nodes: %d nodes on %s, want 3", on, agent2)
			}
			mustShip(t, ns, "promote", "agent")
			eventually(t, "every node on "+agent2, func() (bool, string) {
				v := daemonView(t, ns)
				return !strings.Contains(v, agent1+" ") && strings.Count(v, "ready=true") == 5, v
			})
			if worst := stop(); worst > c.budget || worst == 0 {
				t.Errorf("at most %d nodes without a ready pod at once, want 1 to %d", worst, c.budget)
			}
			if got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.spec.updateStrategy}"); got != strategy {
				t.Errorf("updateStrategy after promote: %s, want %s", got, strategy)
			}
		})
	}
}

// TestDaemonSetBadInputs: every input ship must refuse on a DaemonSet is
// one line, a non-zero exit, and the DaemonSet unchanged (its
// resourceVersion) with no pod replaced.
func TestDaemonSetBadInputs(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 3, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"canary", "agent", "--image", agent2, "--weight", "25"}, "--weight and --replicas do not apply"},
		{[]string{"canary", "agent", "--image", agent2, "--replicas", "1"}, "--weight and --replicas do not apply"},
		{[]string{"canary", "agent", "--image", agent2, "--nodes", "4"}, "--nodes 4 is more than the 3 nodes that run daemonset agent"},
		{[]string{"canary", "agent", "--image", agent2, "--nodes", "3"}, "leaves none stable"},
		{[]string{"canary", "agent", "--image", agent2, "--nodes", "0"}, "at least one node"},
		{[]string{"canary", "agent", "--image", agent2, "--nodes", "some"}, "neither a number of nodes nor a percentage"},
		{[]string{"canary", "agent", "--image", agent2, "--node-selector", "zone=nowhere"}, "matches no node that runs a pod of daemonset agent"},
		{[]string{"canary", "agent", "--image", agent2, "--nodes", "1", "--weight", "10"}, "not both"},
		{[]string{"canary", "agent", "--image", "Example/Agent:2"}, "not a valid image reference"},
		{[]string{"canary", "agent", "--image", agent1}, "already runs agent=example/agent:1: a canary needs a different image"},
		{[]string{"canary", "agent", "--image", agent2, "--steps", "1,3"}, "step 3 nodes: "},
		{[]string{"canary", "agent", "--image", agent2, "--steps", "10%,20%"}, "each step must put the canary on more nodes"},
		{[]string{"canary", "agent", "--image", agent2, "--steps", "1", "--nodes", "1"}, "give --steps or --nodes, not both"},
		{[]string{"bluegreen", "agent", "--image", agent2}, "cannot be released blue-green: a DaemonSet runs one pod per node"},
		{[]string{"promote", "agent"}, "has no canary to promote"},
	}
	for _, c := range cases {
		assertDaemonRefused(t, ns, c.want, c.args...)
	}
	// A canary running: another image is refused, as is shrinking it.
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "2")
	assertDaemonRefused(t, ns, "already runs a canary of agent=example/agent:2", "canary", "agent", "--image", "example/agent:3", "--nodes", "2")
	assertDaemonRefused(t, ns, "cannot shrink to 1 in place", "canary", "agent", "--image", agent2, "--nodes", "1")
}

// TestDaemonSetPromoteAbortAtOnce: promote and abort started together act
// on one plan: one of them acts, the other is refused by the lock or finds
// nothing left; the DaemonSet ends promoted or aborted, whole, lock free.
func TestDaemonSetPromoteAbortAtOnce(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 3, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "1")
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i, verb := range []string{"promote", "abort"} {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = ship(t, ns, verb, "agent") }()
	}
	wg.Wait()
	if results[0].code != 0 && results[1].code != 0 {
		t.Fatalf("neither promote nor abort acted:\n%s\n%s", results[0].stderr, results[1].stderr)
	}
	v := settledView(t, func() string { return daemonView(t, ns) }, "")
	allNew, allOld := strings.Count(v, agent2+" ") == 3, strings.Count(v, agent1+" ") == 3
	if !allNew && !allOld || strings.Contains(v, "record true") || !strings.Contains(v, `lock ""`) {
		t.Errorf("after promote and abort at once (exits %d, %d):\n%s", results[0].code, results[1].code, v)
	}
}

// TestDaemonSetStatus: status shows a DaemonSet's canary as the pods are,
// node by node (role, revision, image), in the same requests at 3 nodes as
// at 6: the Deployments' list and the StatefulSet's get that find none of
// that name, the DaemonSet, its pods, the lock.
func TestDaemonSetStatus(t *testing.T) {
	t.Parallel()
	for _, nodes := range []int{3, 6} {
		t.Run(fmt.Sprintf("%d nodes", nodes), func(t *testing.T) {
			t.Parallel()
			ns := namespace(t)
			seedDaemonSet(t, ns, nodes, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
			mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "1")
			pods := readDaemon(t, ns)
			res := mustShip(t, ns, "status", "agent", "-o", "json", "-v=6")
			var st struct {
				Strategy  string
				DaemonSet struct {
					CanaryNodes []string
					Nodes       []struct {
						Node, Role, Revision string
						Ready                bool
						Containers           []struct{ Image string }
					}
				}
			}
			if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
				t.Fatalf("status -o json: %v\n%s", err, res.stdout)
			}
			if st.Strategy != "canary" || len(st.DaemonSet.Nodes) != nodes || fmt.Sprint(st.DaemonSet.CanaryNodes) != fmt.Sprintf("[%s-0]", ns) {
				t.Errorf("status: %s", res.stdout)
			}
			for _, n := range st.DaemonSet.Nodes {
				p := pods[n.Node]
				wantRole := map[bool]string{true: "canary", false: "stable"}[p.Image == agent2]
				if n.Role != wantRole || n.Revision != p.Revision || n.Ready != p.Ready || len(n.Containers) != 1 || n.Containers[0].Image != p.Image {
					t.Errorf("status of node %s: %+v, want role %s as the pod %+v", n.Node, n, wantRole, p)
				}
			}
			if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"GET": 3, "LIST": 2}); off != "" {
				t.Errorf("status at %d nodes: %s", nodes, off)
			}
		})
	}
}

// assertDaemonRefused runs kubectl ship args and wants it refused in one
// line holding want, with DaemonSet agent (its resourceVersion) and its
// pods unchanged.
func assertDaemonRefused(t *testing.T, ns, want string, args ...string) {
	t.Helper()
	rv := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")
	pods := readDaemon(t, ns)
	res := ship(t, ns, args...)
	if res.code == 0 || !strings.Contains(res.stderr, want) || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
		t.Errorf("kubectl ship %s: exit %d, stderr %q; want one line with %q", strings.Join(args, " "), res.code, res.stderr, want)
	}
	if got := mustKubectl(t, "get", "daemonset", "agent", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"); got != rv {
		t.Errorf("kubectl ship %s changed the DaemonSet (resourceVersion %s -> %s)", strings.Join(args, " "), rv, got)
	}
	if got := readDaemon(t, ns); fmt.Sprint(got) != fmt.Sprint(pods) {
		t.Errorf("kubectl ship %s changed the pods:\n%v\nwant\n%v", strings.Join(args, " "), got, pods)
	}
}
