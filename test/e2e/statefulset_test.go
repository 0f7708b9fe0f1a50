//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

const (
	db1 = "example/db:1"
	db2 = "example/db:2"
)

// seedStatefulSet creates StatefulSet db of replicas pods of db1, with no
// volumeClaimTemplates (kwok provisions no volumes), and waits until it
// is rolled out. extra is more of its spec, indented as spec's fields.
func seedStatefulSet(t *testing.T, ns string, replicas int, extra string) {
	t.Helper()
	apply(t, ns, fmt.Sprintf(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: %d
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: %q}]
%s`, replicas, db1, extra))
	if !strings.Contains(extra, "OnDelete") {
		mustKubectl(t, "rollout", "status", "-n", ns, "statefulset/db", "--timeout=60s")
		return
	}
	eventually(t, "statefulset db ready", func() (bool, string) {
		got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.status.readyReplicas}")
		return got == fmt.Sprint(replicas), got
	})
}

// statefulState reads what the cluster shows of StatefulSet db: each
// ordinal's image and whether its pod runs the current or the update
// revision ("db-0=example/db:1 current"), and the partition.
type statefulState struct {
	Pods      []string
	Partition int
}

func readStateful(t *testing.T, ns string) statefulState {
	t.Helper()
	var sts struct {
		Spec struct {
			UpdateStrategy struct {
				RollingUpdate struct{ Partition int } `json:"rollingUpdate"`
			} `json:"updateStrategy"`
		} `json:"spec"`
		Status struct{ CurrentRevision, UpdateRevision string } `json:"status"`
	}
	getJSON(t, &sts, "-n", ns, "statefulset", "db")
	var pods struct {
		Items []struct {
			Metadata struct {
				Name   string            `json:"name"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec struct {
				Containers []struct{ Image string } `json:"containers"`
			} `json:"spec"`
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	getJSON(t, &pods, "-n", ns, "pods", "-l", "app=db")
	state := statefulState{Partition: sts.Spec.UpdateStrategy.RollingUpdate.Partition}
	for _, p := range pods.Items {
		revision := "current"
		if hash := p.Metadata.Labels["controller-revision-hash"]; hash == sts.Status.UpdateRevision && hash != sts.Status.CurrentRevision {
			revision = "update"
		} else if hash != sts.Status.CurrentRevision {
			revision = "other:" + hash
		}
		ready := ""
		for _, c := range p.Status.Conditions {
			if c.Type == "Ready" && c.Status != "True" {
				ready = " not-ready"
			}
		}
		state.Pods = append(state.Pods, fmt.Sprintf("%s=%s %s%s", p.Metadata.Name, p.Spec.Containers[0].Image, revision, ready))
	}
	sort.Strings(state.Pods)
	return state
}

// eventuallyStateful waits until the pods of db are exactly want, in
// ordinal order.
func eventuallyStateful(t *testing.T, ns string, want ...string) {
	t.Helper()
	eventually(t, "the pods of statefulset db", func() (bool, string) {
		got := strings.Join(readStateful(t, ns).Pods, ", ")
		return got == strings.Join(want, ", "), got
	})
}

func TestStatefulSetCanaryResizePromote(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")

	res := mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "1")
	if res.stdout != "statefulset.apps/db configured\n" || !strings.Contains(res.stderr, "1 canary pod beside 3 stable (pod db-3 of statefulset db)") {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
	if got := readStateful(t, ns).Partition; got != 3 {
		t.Errorf("partition = %d, want 3", got)
	}

	mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "50")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db2+" update", "db-3="+db2+" update")
	before := settledSnapshot(t, ns)
	if res := mustShip(t, ns, "canary", "db", "--image", db2, "--weight", "50"); res.stdout != "" || !strings.Contains(res.stderr, "already at 50.0%") {
		t.Errorf("a re-run should change nothing and say so: %q\n%s", res.stdout, res.stderr)
	}
	assertUnchanged(t, ns, before)
	// kubectl's own view of what ship left.
	if out := mustKubectl(t, "rollout", "status", "-n", ns, "statefulset/db", "--timeout=30s"); !strings.Contains(out, "partitioned roll out complete: 2 new pods") {
		t.Errorf("kubectl rollout status: %s", out)
	}

	res = mustShip(t, ns, "promote", "db")
	if res.stdout != "statefulset.apps/db promoted\n" || !strings.Contains(res.stderr, "statefulset rolling update complete 4 pods") {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
	}
	// Promoted, every pod runs the one revision, which is now the current one.
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
	if got := readStateful(t, ns).Partition; got != 0 {
		t.Errorf("partition = %d after promote, want 0", got)
	}
	if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.metadata.annotations}"); strings.Contains(got, "kubectl-ship") {
		t.Errorf("ship's record is left on the StatefulSet: %s", got)
	}
	if hist := mustKubectl(t, "rollout", "history", "-n", ns, "statefulset/db"); !strings.Contains(hist, "2 ") {
		t.Errorf("kubectl rollout history should show revision 2:\n%s", hist)
	}
	before = settledSnapshot(t, ns)
	if res := ship(t, ns, "promote", "db"); res.code != 0 || !strings.Contains(res.stderr, "already done by 'kubectl ship promote db'") {
		t.Errorf("second promote: exit %d, %s", res.code, res.stderr)
	}
	assertUnchanged(t, ns, before)
}

// abort puts the template and the user's partition back exactly, and every
// pod back on the stable revision; the user's partition is honoured.
func TestStatefulSetCanaryAbortRestoresExactly(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 5, "  podManagementPolicy: Parallel\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}\n")
	template := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}")

	assertRefused(t, ns, 1, "its partition 2 keeps the ordinals below it", "canary", "db", "--image", db2, "--replicas", "4")
	mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "2")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update", "db-4="+db2+" update")

	res := mustShip(t, ns, "abort", "db")
	if res.stdout != "statefulset.apps/db rolled back\n" {
		t.Errorf("stdout %q", res.stdout)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current", "db-4="+db1+" current")
	if got := mustKubectl(t, "get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.template}{.spec.updateStrategy}"); got != template {
		t.Errorf("template and strategy not restored exactly:\n%s\nwant\n%s", got, template)
	}
	mustKubectl(t, "rollout", "status", "-n", ns, "statefulset/db", "--timeout=30s")
}

// A canary pod that never becomes Ready blocks the controller's own
// rollback under OrderedReady: abort deletes it, and only it, announced.
func TestStatefulSetForcedRollback(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 3, "")
	if res := ship(t, ns, "canary", "db", "--image", "example/db:notready", "--timeout", "5s"); res.code != 1 || !strings.Contains(res.stderr, "timed out waiting for the rollout of statefulset db") {
		t.Errorf("want the wait to time out: exit %d\n%s", res.code, res.stderr)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2=example/db:notready update not-ready")
	uids := mustKubectl(t, "get", "pods", "-n", ns, "-l", "app=db", "-o", "jsonpath={.items[0].metadata.uid} {.items[1].metadata.uid}")

	res := mustShip(t, ns, "abort", "db", "--timeout", "60s")
	if !strings.Contains(res.stderr, "forced rollback: pod db-2") || res.stdout != "statefulset.apps/db rolled back\npod/db-2 deleted\n" {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current")
	if got := mustKubectl(t, "get", "pods", "-n", ns, "-l", "app=db", "-o", "jsonpath={.items[0].metadata.uid} {.items[1].metadata.uid}"); got != uids {
		t.Errorf("the stable pods were replaced: %s, were %s", got, uids)
	}
}

func TestStatefulSetBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	mustShip(t, ns, "canary", "db", "--image", db2)
	other := namespace(t)
	seedStatefulSet(t, other, 3, "  updateStrategy: {type: OnDelete}\n")
	assertRefused(t, other, 1, "updateStrategy is OnDelete", "canary", "db", "--image", db2)
	fresh := namespace(t)
	seedStatefulSet(t, fresh, 4, "")

	cases := []struct {
		name string
		ns   string
		args []string
		want string
	}{
		{"more canary pods than pods", fresh, []string{"canary", "db", "--image", db2, "--replicas", "5"}, "too large for statefulset db of 4 pods"},
		{"no stable pod left", fresh, []string{"canary", "db", "--image", db2, "--replicas", "4"}, "at most 3"},
		{"malformed image", fresh, []string{"canary", "db", "--image", "Bad Image!"}, "not a valid image reference"},
		{"unknown container", fresh, []string{"canary", "db", "--image", "sidecar=" + db2}, `container "sidecar" not found`},
		{"same image", fresh, []string{"canary", "db", "--image", db1}, "already runs db=" + db1},
		{"weight not reachable", fresh, []string{"canary", "db", "--image", db2, "--weight", "10"}, "weight 10% cannot be reached"},
		{"a route that does not exist", fresh, []string{"canary", "db", "--image", db2, "--route", "httproute/db"}, "httproute db not found in namespace"},
		{"blue-green", fresh, []string{"bluegreen", "db", "--image", db2}, "cannot be released blue-green"},
		{"a canary already running another image", ns, []string{"canary", "db", "--image", "example/db:3"}, "already runs a canary of db=" + db2},
		{"abort with no canary", fresh, []string{"abort", "db"}, "statefulset db has no canary to abort"},
		{"promote with no canary", fresh, []string{"promote", "db"}, "statefulset db has no canary to promote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, tc.ns, 1, tc.want, tc.args...) })
	}
	// A dry run, on the client or the server, says what it would do and
	// does nothing.
	for _, mode := range []string{"client", "server"} {
		before := settledSnapshot(t, fresh)
		res := mustShip(t, fresh, "canary", "db", "--image", db2, "--dry-run="+mode)
		if !strings.Contains(res.stdout, "statefulset.apps/db configured (") {
			t.Errorf("--dry-run=%s: stdout %q", mode, res.stdout)
		}
		assertUnchanged(t, fresh, before)
	}
}

// status and list show a StatefulSet's canary as the pods are, in one
// request per kind whatever the pods.
func TestStatefulSetStatusAndList(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "1")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")

	res := mustShip(t, ns, "status", "db", "-o", "jsonpath={.strategy} {.statefulSet.partition} {.statefulSet.roles[*].role} {.statefulSet.roles[1].pods} {.statefulSet.roles[0].pods}", "-v=6")
	if want := `canary 3 stable canary ["db-3"] ["db-0","db-1","db-2"]`; res.stdout != want {
		t.Errorf("status = %q, want %q", res.stdout, want)
	}
	// The Deployments (none of that name), the StatefulSet, its pods, the lock.
	if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"GET": 2, "LIST": 2}); off != "" {
		t.Errorf("status: %s", off)
	}
	res = mustShip(t, ns, "list", "-v=6")
	if !strings.Contains(res.stdout, "db     canary     Healthy   "+db1+"     "+db2+"   25.0% (partition 3)   4/4") {
		t.Errorf("list:\n%s", res.stdout)
	}
	if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"LIST": 6}); off != "" {
		t.Errorf("list: %s", off)
	}
}

// Killed (-9) right after each write, the same command run again, or
// abort, converges: the canary's change and its record are one patch.
func TestStatefulSetKilledConverges(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 3, "")
	killed := []string{"KUBECTL_SHIP_CRASH_AFTER_STEP=1"}

	if res := runIn(t, ns, killed, []string{"ship", "canary", "db", "--image", db2}); res.code == 0 {
		t.Fatalf("the crash switch did not kill the canary:\n%s", res.stderr)
	}
	res := mustShip(t, ns, "canary", "db", "--image", db2)
	if res.stdout != "" || !strings.Contains(res.stderr, "already at 33.3%") {
		t.Errorf("the re-run should find the canary in place: %q\n%s", res.stdout, res.stderr)
	}
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db2+" update")

	if res := runIn(t, ns, killed, []string{"ship", "abort", "db"}); res.code == 0 {
		t.Fatalf("the crash switch did not kill abort:\n%s", res.stderr)
	}
	mustShip(t, ns, "abort", "db")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current")
	mustKubectl(t, "rollout", "status", "-n", ns, "statefulset/db", "--timeout=30s")
}
