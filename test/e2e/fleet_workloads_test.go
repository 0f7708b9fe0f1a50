//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// The waves of a StatefulSet's and a DaemonSet's canary over the two
// clusters hack/fleet-up.sh starts, fleet-b then fleet-c, asserted from
// what `kubectl get --context` shows of each.

// fleetKubectl runs kubectl ARGS in cluster's context of the fleet's
// kubeconfig, and fails the test when it fails.
func fleetKubectl(t *testing.T, cluster string, args ...string) string {
	t.Helper()
	res := kubectlEnv(t, []string{"KUBECONFIG=" + fleetEnv.kubeconfig}, append([]string{"--context", cluster}, args...)...)
	if res.code != 0 {
		t.Fatalf("kubectl --context %s %s: exit %d\n%s%s", cluster, strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

// seedStatefulIn creates StatefulSet db of 3 pods of db1 in ns, and waits
// until it is rolled out.
func seedStatefulIn(c *kubernetes.Clientset, ns string) error {
	sts := fixture.ForCreate(fixture.NewStatefulSet("db").WithImage(db1).WithServiceName("db").V())
	return createAndWait(c.AppsV1().StatefulSets(ns), sts, func(s *appsv1.StatefulSet) bool {
		return s.Status.ReadyReplicas == 3 && s.Status.UpdatedReplicas == 3 && s.Status.CurrentRevision == s.Status.UpdateRevision
	})
}

// seedDaemonIn adds 3 kwok nodes of the namespace's own (NS-0..NS-2,
// labelled and tainted ship-e2e-ds=NS) and DaemonSet agent of agent1 on
// them, and waits until every node runs a ready pod. The test deletes the
// nodes (fleetNodesCleanup).
func seedDaemonIn(c *kubernetes.Clientset, ns string) error {
	ctx := context.Background()
	for i := range 3 {
		node := fixture.NewNode(fmt.Sprintf("%s-%d", ns, i)).WithLabels(map[string]string{"ship-e2e-ds": ns}).WithTaint("ship-e2e-ds", ns)
		if _, err := c.CoreV1().Nodes().Create(ctx, node.V(), metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	ds := fixture.ForCreate(fixture.NewDaemonSet("agent").WithImage(agent1).OnNodes("ship-e2e-ds", ns).V())
	return createAndWait(c.AppsV1().DaemonSets(ns), ds, func(d *appsv1.DaemonSet) bool {
		return d.Status.DesiredNumberScheduled == 3 && d.Status.NumberReady == 3
	})
}

// fleetNodesCleanup deletes, when the test ends, the nodes seedDaemonIn
// adds for ns in every cluster.
func fleetNodesCleanup(t *testing.T, ns string) {
	t.Cleanup(func() {
		eachCluster(func(_ string, c *kubernetes.Clientset) {
			_ = c.CoreV1().Nodes().DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "ship-e2e-ds=" + ns})
		})
	})
}

// createAndWait creates obj, then polls it until ready says so.
func createAndWait[T any](client interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Get(context.Context, string, metav1.GetOptions) (T, error)
}, obj T, ready func(T) bool) error {
	ctx := context.Background()
	created, err := client.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	name := any(created).(metav1.Object).GetName()
	if ok, state := pollUntil(2*time.Minute, 200*time.Millisecond, func() (bool, string) {
		got, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return ready(got), fmt.Sprintf("%+v", any(got))
	}); !ok {
		return fmt.Errorf("%s never became ready: %.400s", name, state)
	}
	return nil
}

// statefulIn is what cluster shows of StatefulSet db: its partition, then
// each pod's image and whether it is Ready.
func statefulIn(t *testing.T, cluster, ns string) string {
	t.Helper()
	partition := fleetKubectl(t, cluster, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.updateStrategy.rollingUpdate.partition}")
	pods := fleetKubectl(t, cluster, "get", "pods", "-n", ns, "-l", "app=db", "--sort-by", "{.metadata.name}", "-o",
		`jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image} {.status.conditions[?(@.type=="Ready")].status}, {end}`)
	return "partition " + partition + ": " + strings.TrimSuffix(pods, ", ")
}

// eventuallyStatefulIn waits until statefulIn shows want, or fails the test.
func eventuallyStatefulIn(t *testing.T, cluster, ns, want string) {
	t.Helper()
	if ok, got := pollUntil(2*time.Minute, 500*time.Millisecond, func() (bool, string) {
		got := statefulIn(t, cluster, ns)
		return got == want, got
	}); !ok {
		t.Errorf("%s: %s, want %s", cluster, got, want)
	}
}

// statefulRolledBack waits until StatefulSet db in cluster is as abort
// leaves it: every pod on db1, the partition back, no record of a canary.
func statefulRolledBack(t *testing.T, cluster, ns string) {
	t.Helper()
	eventuallyStatefulIn(t, cluster, ns, "partition 0: db-0="+db1+" True, db-1="+db1+" True, db-2="+db1+" True")
	if annotations := fleetKubectl(t, cluster, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.annotations}"); strings.Contains(annotations, "kubectl-ship") {
		t.Errorf("%s keeps the canary's record: %s", cluster, annotations)
	}
}

// daemonIn is what cluster shows of DaemonSet agent's pods: by node, its
// image and UID.
func daemonIn(t *testing.T, cluster, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := fleetKubectl(t, cluster, "get", "pods", "-n", ns, "-l", "app=agent", "-o",
		`jsonpath={range .items[*]}{.spec.nodeName} {.spec.containers[0].image} {.metadata.uid}{"\n"}{end}`)
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		if node, rest, ok := strings.Cut(line, " "); ok {
			out[node] = rest
		}
	}
	return out
}

// soakRecorded says whether release name's record in cluster keeps a soak
// of the fleet's command, and its lock is free.
func soakRecorded(t *testing.T, cluster, ns, name string) bool {
	t.Helper()
	lease := fleetKubectl(t, cluster, "get", "lease", "kubectl-ship-"+name, "-n", ns, "-o", "jsonpath={.spec.holderIdentity}|{.metadata.annotations}")
	return strings.HasPrefix(lease, "|") && strings.Contains(lease, `\"verb\":\"soak\"`)
}

// soak is long enough that a gate that cannot read the release (five
// checks in a row unanswered, 2s apart) would fail it.
const soak = "15s"

// A StatefulSet's canary in two waves, each soaked healthy by the
// StatefulSet's own gates; status and list read it across the fleet, and
// promote finishes it there.
func TestFleetStatefulSetWaves(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetNamespace(t, seedStatefulIn)

	res := fleetShip(t, nil, ns, "canary", "db", "--image", db2, "--replicas", "1", "--wave", "fleet-b", "--wave", "fleet-c", "--soak", soak)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range []string{"fleet-b", "fleet-c"} {
		if got, want := statefulIn(t, c, ns), "partition 2: db-0="+db1+" True, db-1="+db1+" True, db-2="+db2+" True"; got != want {
			t.Errorf("%s: %s, want %s", c, got, want)
		}
		if !soakRecorded(t, c, ns, "db") {
			t.Errorf("%s: no soak recorded\n%s", c, res.stderr)
		}
	}
	for _, verb := range []string{"status", "list"} {
		args := []string{verb, "--contexts", "fleet-b,fleet-c", "-o", "json"}
		if verb == "status" {
			args = append(args, "db")
		}
		if res := fleetShip(t, nil, ns, args...); res.code != 0 || strings.Count(res.stdout, `"statefulSet"`) != 2 {
			t.Errorf("%s across the fleet: exit %d\n%s%s", verb, res.code, res.stdout, res.stderr)
		}
	}

	res = fleetShip(t, nil, ns, "promote", "db", "--wave", "fleet-b", "--wave", "fleet-c")
	if res.code != 0 {
		t.Fatalf("promote: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range []string{"fleet-b", "fleet-c"} {
		eventuallyStatefulIn(t, c, ns, "partition 0: db-0="+db2+" True, db-1="+db2+" True, db-2="+db2+" True")
	}
}

// A DaemonSet's canary on one node of each cluster, in two waves, each
// soaked healthy by its canary node's pod against the others; the other
// nodes' pods are never replaced. abort across the fleet undoes it.
func TestFleetDaemonSetWaves(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetNamespace(t, seedDaemonIn)
	fleetNodesCleanup(t, ns)
	before := map[string]map[string]string{}
	for _, c := range []string{"fleet-b", "fleet-c"} {
		before[c] = daemonIn(t, c, ns)
	}

	res := fleetShip(t, nil, ns, "canary", "agent", "--image", agent2, "--nodes", "1", "--wave", "fleet-b", "--wave", "fleet-c", "--soak", soak)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range []string{"fleet-b", "fleet-c"} {
		pods := daemonIn(t, c, ns)
		canary, stable := ns+"-0", []string{ns + "-1", ns + "-2"}
		if !strings.HasPrefix(pods[canary], agent2+" ") {
			t.Errorf("%s: %s runs %q, want %s", c, canary, pods[canary], agent2)
		}
		for _, node := range stable {
			if pods[node] != before[c][node] {
				t.Errorf("%s: %s's pod was %q, now %q: a stable node's pod was replaced", c, node, before[c][node], pods[node])
			}
		}
		if !soakRecorded(t, c, ns, "agent") {
			t.Errorf("%s: no soak recorded\n%s", c, res.stderr)
		}
	}
	if res := fleetShip(t, nil, ns, "status", "agent", "--contexts", "fleet-b,fleet-c", "-o", "json"); res.code != 0 || strings.Count(res.stdout, `"daemonSet"`) != 2 {
		t.Errorf("status across the fleet: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	if res := fleetShip(t, nil, ns, "abort", "agent", "--wave", "fleet-b", "--wave", "fleet-c"); res.code != 0 {
		t.Fatalf("abort: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, c := range []string{"fleet-b", "fleet-c"} {
		for node, pod := range daemonIn(t, c, ns) {
			if !strings.HasPrefix(pod, agent1+" ") {
				t.Errorf("%s: %s runs %q after abort", c, node, pod)
			}
		}
	}
}

// A StatefulSet's canary whose pod stops being Ready while its second wave
// soaks: the first wave soaks healthy and keeps its canary; the
// StatefulSet's pods gate fails the second past the grace (30s), that
// cluster is rolled back as abort does, and the third wave never starts.
func TestFleetStatefulSetSoakFails(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetNamespace(t, seedStatefulIn)
	untouched := fleetKubectl(t, "fleet-a", "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")

	// The soak outlasts the grace with room to spare, the load of a CI run included.
	run := startWith(t, fleetEnv.kubeconfig, ns, []string{"ship", "canary", "db", "--image", db2, "--replicas", "1",
		"--wave", "fleet-b", "--wave", "fleet-c", "--wave", "fleet-a", "--soak", "80s"})
	t.Cleanup(func() { _ = run.cmd.Process.Kill() })
	canary := "partition 2: db-0=" + db1 + " True, db-1=" + db1 + " True, db-2=" + db2 + " True"
	if ok, got := pollUntil(4*time.Minute, 300*time.Millisecond, func() (bool, string) {
		holder := fleetKubectl(t, "fleet-c", "get", "lease", "-n", ns, "-o", "jsonpath={.items[*].spec.holderIdentity}")
		got := statefulIn(t, "fleet-c", ns)
		return got == canary && holder == "", got + " lock " + holder
	}); !ok {
		t.Fatalf("fleet-c never soaked the canary: %s\n%s", got, run.stderr.String())
	}
	notReady := fmt.Sprintf(`{"status":{"conditions":[{"type":"Ready","status":"False","reason":"e2e","lastTransitionTime":%q}]}}`, time.Now().UTC().Format(time.RFC3339))
	fleetKubectl(t, "fleet-c", "patch", "pod", "db-2", "-n", ns, "--subresource=status", "--type=strategic", "-p", notReady)

	res := run.wait(t)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if got := statefulIn(t, "fleet-b", ns); got != canary || !soakRecorded(t, "fleet-b", ns, "db") {
		t.Errorf("fleet-b, soaked healthy, should keep its canary: %s", got)
	}
	statefulRolledBack(t, "fleet-c", ns)
	if now := fleetKubectl(t, "fleet-a", "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"); now != untouched {
		t.Errorf("fleet-a was written to: resourceVersion %s, was %s", now, untouched)
	}
	if leases := fleetKubectl(t, "fleet-a", "get", "leases", "-n", ns, "-o", "name"); leases != "" {
		t.Errorf("fleet-a was locked: %s", leases)
	}
}

// A webhook that refuses a StatefulSet's canary while its first wave soaks
// is told the StatefulSet and its canary's images: that cluster is rolled
// back, and the next wave never starts.
func TestFleetStatefulSetSoakChecksTheWebhooks(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetNamespace(t, seedStatefulIn)
	untouched := fleetKubectl(t, "fleet-c", "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")
	told := make(chan string, 16)
	frozen := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Phase, Release string
			Images         map[string]string
		}
		_ = json.NewDecoder(r.Body).Decode(&p)
		told <- p.Phase + " " + p.Release + " " + p.Images["db"]
		http.Error(w, "release frozen", http.StatusServiceUnavailable)
	}))
	t.Cleanup(frozen.Close)

	res := fleetShip(t, nil, ns, "canary", "db", "--image", db2, "--replicas", "1", "--webhook", frozen.URL,
		"--wave", "fleet-b", "--wave", "fleet-c", "--soak", soak)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	// The command has ended: every call it made is in told already.
	select {
	case got := <-told:
		if got != "Soaking db "+db2 {
			t.Errorf("the webhook was told %q, want the phase Soaking, the StatefulSet and its canary's image", got)
		}
	default:
		t.Errorf("the webhook was never called:\n%s", res.stdout)
	}
	statefulRolledBack(t, "fleet-b", ns)
	if now := fleetKubectl(t, "fleet-c", "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"); now != untouched {
		t.Errorf("fleet-c was written to: resourceVersion %s, was %s", now, untouched)
	}
}
