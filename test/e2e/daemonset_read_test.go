//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// listedDaemonSet is what `kubectl ship list -o json` shows of release
// agent: its strategy and its DaemonSet's readiness, images and canary.
type listedDaemonSet struct {
	Strategy  string
	DaemonSet *struct {
		Ready, Desired int32
		Stable, Canary []struct{ Image string }
		StableRevision string
		CanaryNodes    []string
	}
}

// listDaemonSet reads release agent from `kubectl ship list -o json`.
func listDaemonSet(t *testing.T, ns string, args ...string) listedDaemonSet {
	t.Helper()
	var list struct {
		Items []struct {
			Metadata struct{ Name string }
			listedDaemonSet
		}
	}
	out := mustShip(t, ns, append([]string{"list", "-o", "json"}, args...)...).stdout
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list -o json: %v\n%s", err, out)
	}
	for _, it := range list.Items {
		if it.Metadata.Name == "agent" {
			return it.listedDaemonSet
		}
	}
	t.Fatalf("list -o json has no release agent:\n%s", out)
	return listedDaemonSet{}
}

// list shows a DaemonSet's release: its images, and during a canary the
// canary's share of the nodes and which nodes, as the pods show them; -o
// json, yaml and name work as for the other rows; a user who may not list
// DaemonSets (or StatefulSets) sees the other releases, without an error.
func TestDaemonSetList(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 2, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	seedStatefulSet(t, ns, 2, "")
	if got := listDaemonSet(t, ns); got.Strategy != "none" || got.DaemonSet == nil || got.DaemonSet.Ready != 2 || got.DaemonSet.Desired != 2 ||
		len(got.DaemonSet.Stable) != 1 || got.DaemonSet.Stable[0].Image != agent1 || len(got.DaemonSet.Canary) != 0 {
		t.Errorf("list before the canary: %+v", got)
	}

	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "1")
	pods := readDaemon(t, ns)
	canaryNode := fmt.Sprintf("%s-0", ns)
	if pods[canaryNode].Image != agent2 || pods[ns+"-1"].Image != agent1 {
		t.Fatalf("the canary's pods: %+v", pods)
	}
	got := listDaemonSet(t, ns)
	if d := got.DaemonSet; got.Strategy != "canary" || d.Ready != 2 || d.Desired != 2 || fmt.Sprint(d.CanaryNodes) != "["+canaryNode+"]" ||
		len(d.Canary) != 1 || d.Canary[0].Image != agent2 || d.Stable[0].Image != agent1 || d.StableRevision != pods[ns+"-1"].Revision {
		t.Errorf("list during the canary: %+v, the pods %+v", got, pods)
	}
	text := mustShip(t, ns, "list", "-o", "wide").stdout
	row := regexp.MustCompile(`(?m)^agent\s+canary\s+Healthy\s+` + regexp.QuoteMeta(agent1) + `\s+` + regexp.QuoteMeta(agent2) +
		`\s+50\.0% \(1 of 2 nodes\)\s+2/2\s+\S+\s+canary nodes ` + regexp.QuoteMeta(canaryNode) + `$`)
	if !row.MatchString(text) || !regexp.MustCompile(`(?m)^db\s+none\s+Healthy\s+`+regexp.QuoteMeta(db1)).MatchString(text) {
		t.Errorf("list -o wide:\n%s", text)
	}
	if yaml := mustShip(t, ns, "list", "-o", "yaml").stdout; !strings.Contains(yaml, "canaryNodes:\n    - "+canaryNode) {
		t.Errorf("list -o yaml:\n%s", yaml)
	}
	names := mustShip(t, ns, "list", "-o", "name").stdout
	if !regexp.MustCompile(`(?m)/agent$`).MatchString(names) || !regexp.MustCompile(`(?m)/db$`).MatchString(names) {
		t.Errorf("list -o name:\n%s", names)
	}
	// -l selects by the DaemonSet's own labels, as for a Deployment.
	mustKubectl(t, "label", "-n", ns, "daemonset/agent", "tier=node")
	if names := mustShip(t, ns, "list", "-l", "tier=node", "-o", "name").stdout; !regexp.MustCompile(`^\S+/agent\n$`).MatchString(names) {
		t.Errorf("list -l tier=node -o name:\n%s", names)
	}

	// The shipped Role is enough to list them; without its rules to list
	// DaemonSets and StatefulSets, list leaves them out quietly.
	bindRole(t, ns, "ship-user", readRole(t, "role.yaml"))
	if rows := mustShip(t, ns, "--as", "ship-user", "list").stdout; !regexp.MustCompile(`(?m)^agent\s+canary`).MatchString(rows) ||
		!regexp.MustCompile(`(?m)^db\s+none`).MatchString(rows) {
		t.Errorf("list as a user bound to role.yaml:\n%s", rows)
	}
	role := without(without(readRole(t, "role.yaml"), "apps", "daemonsets", "list"), "apps", "statefulsets", "list")
	bindRole(t, ns, "ship-user-no-workloads", role)
	res := ship(t, ns, "--as", "ship-user-no-workloads", "list")
	if res.code != 0 || res.stderr != "No releases found in "+ns+" namespace.\n" {
		t.Errorf("list without the right to list DaemonSets and StatefulSets: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// history of a DaemonSet shows its ControllerRevisions, those kubectl
// rollout history lists, with the current and the canary's revision
// marked, beside ship's record; kubectl rollout undo, status and history
// keep working on what ship leaves, and ship on what they leave.
func TestDaemonSetHistory(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedDaemonSet(t, ns, 2, "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}")
	images := func() string {
		pods := readDaemon(t, ns)
		return pods[ns+"-0"].Image + " " + pods[ns+"-1"].Image
	}
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "1")
	if got := images(); got != agent2+" "+agent1 {
		t.Fatalf("the canary's pods: %s", got)
	}

	checkHistory(t, ns, "agent", "daemonset/agent", "during the canary", "1="+agent1+" current, 2="+agent2+" update", "1 2", 1, "kubectl ship canary agent --image "+agent2)
	res := mustShip(t, ns, "history", "agent", "-v=6")
	if !regexp.MustCompile(`(?m)^1 \(current\)\s+\S+ \S+\s+`+regexp.QuoteMeta(agent1)).MatchString(res.stdout) ||
		!regexp.MustCompile(`(?m)^2 \(update\)\s+\S+ \S+\s+`+regexp.QuoteMeta(agent2)).MatchString(res.stdout) {
		t.Errorf("history's text should mark the current and the canary's revision:\n%s", res.stdout)
	}
	// The Deployment and the StatefulSet (none of that name), the
	// DaemonSet, its revisions, the lock.
	if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"GET": 4, "LIST": 1}); off != "" {
		t.Errorf("history: %s", off)
	}

	mustShip(t, ns, "promote", "agent")
	mustKubectl(t, "rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
	eventually(t, "every node on "+agent2+" after promote", func() (bool, string) {
		got := images()
		return got == agent2+" "+agent2, got
	})
	checkHistory(t, ns, "agent", "daemonset/agent", "after promote", "1="+agent1+", 2="+agent2+" current", "1 2", 2, "kubectl ship promote agent")
	mustKubectl(t, "rollout", "undo", "-n", ns, "daemonset/agent")
	mustKubectl(t, "rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
	eventually(t, "every node back on "+agent1, func() (bool, string) {
		got := images()
		return got == agent1+" "+agent1, got
	})
	if st := shipStatus(t, ns, "agent"); st.Strategy != "none" {
		t.Errorf("after kubectl rollout undo, status says %s", st.Strategy)
	}
	// The undo made revision 1's template revision 3, as kubectl shows it.
	checkHistory(t, ns, "agent", "daemonset/agent", "after the undo", "2="+agent2+", 3="+agent1+" current", "2 3", 2, "kubectl ship promote agent")

	// ship takes the DaemonSet as kubectl left it.
	mustShip(t, ns, "canary", "agent", "--image", agent2, "--nodes", "1")
	if got := images(); got != agent2+" "+agent1 {
		t.Errorf("a canary after the undo: the pods run %s", got)
	}
	checkHistory(t, ns, "agent", "daemonset/agent", "during a canary after the undo", "3="+agent1+" current, 4="+agent2+" update", "3 4", 3, "kubectl ship canary agent")
}
