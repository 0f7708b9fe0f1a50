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

// workloadHistory reads `kubectl ship history NAME -o json`: each revision
// as "NUMBER=IMAGE" with its mark (current, update), and the commands of the
// record.
func workloadHistory(t *testing.T, ns, name string) (revisions, commands []string) {
	t.Helper()
	var h struct {
		Revisions []struct {
			Revision        int64
			Images          []string
			Current, Update bool
		}
		Operations []struct{ Command string }
	}
	if err := json.Unmarshal([]byte(mustShip(t, ns, "history", name, "-o", "json").stdout), &h); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.Revisions {
		rev := fmt.Sprintf("%d=%s", r.Revision, strings.Join(r.Images, ","))
		switch {
		case r.Current:
			rev += " current"
		case r.Update:
			rev += " update"
		}
		revisions = append(revisions, rev)
	}
	for _, op := range h.Operations {
		commands = append(commands, op.Command)
	}
	return revisions, commands
}

// kubectlRevisions are the revision numbers 'kubectl rollout history
// KIND/NAME' lists.
func kubectlRevisions(t *testing.T, ns, workload string) string {
	t.Helper()
	out := mustKubectl(t, "rollout", "history", "-n", ns, workload)
	var numbers []string
	for _, m := range regexp.MustCompile(`(?m)^(\d+)\s`).FindAllStringSubmatch(out, -1) {
		numbers = append(numbers, m[1])
	}
	return strings.Join(numbers, " ")
}

// checkHistory checks, when (the moment it names), the revisions history
// shows of release name ("NUMBER=IMAGE mark", joined by ", "), the revision
// numbers kubectl rollout history lists of workload ("KIND/NAME"), and that
// the record holds n commands, the last starting with last.
func checkHistory(t *testing.T, ns, name, workload, when, revisions, numbers string, n int, last string) {
	t.Helper()
	got, commands := workloadHistory(t, ns, name)
	if strings.Join(got, ", ") != revisions {
		t.Errorf("history's revisions %s: %s, want %s", when, strings.Join(got, ", "), revisions)
	}
	if got := kubectlRevisions(t, ns, workload); got != numbers {
		t.Errorf("%s, kubectl rollout history lists %q, want %q", when, got, numbers)
	}
	if len(commands) != n || !strings.HasPrefix(commands[n-1], last) {
		t.Errorf("history's record %s: %q", when, commands)
	}
}

// history of a StatefulSet shows its ControllerRevisions, those kubectl
// rollout history lists, with the current and the canary's update revision
// marked, beside ship's record; kubectl rollout undo, status and history
// keep working on what ship leaves, and ship on what they leave.
func TestStatefulSetHistory(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedStatefulSet(t, ns, 4, "")
	mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "1")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")

	checkHistory(t, ns, "db", "statefulset/db", "during the canary", "1="+db1+" current, 2="+db2+" update", "1 2", 1, "kubectl ship canary db --image "+db2)
	res := mustShip(t, ns, "history", "db", "-v=6")
	if !regexp.MustCompile(`(?m)^2 \(update\)\s+\S+ \S+\s+` + regexp.QuoteMeta(db2)).MatchString(res.stdout) {
		t.Errorf("history's text should mark the update revision:\n%s", res.stdout)
	}
	// The Deployment (none of that name), the StatefulSet, its revisions, the lock.
	if off := offBudget(requestlog.Parse(res.stderr, ns), requestBudget{"GET": 3, "LIST": 1}); off != "" {
		t.Errorf("history: %s", off)
	}

	mustShip(t, ns, "promote", "db")
	eventuallyStateful(t, ns, "db-0="+db2+" current", "db-1="+db2+" current", "db-2="+db2+" current", "db-3="+db2+" current")
	mustKubectl(t, "rollout", "undo", "-n", ns, "statefulset/db")
	mustKubectl(t, "rollout", "status", "-n", ns, "statefulset/db", "--timeout=60s")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db1+" current")
	if st := shipStatus(t, ns, "db"); st.Strategy != "none" {
		t.Errorf("after kubectl rollout undo, status says %s", st.Strategy)
	}
	// The undo made revision 1's template revision 3, as kubectl shows it.
	checkHistory(t, ns, "db", "statefulset/db", "after the undo", "2="+db2+", 3="+db1+" current", "2 3", 2, "kubectl ship promote db")

	// ship takes the StatefulSet as kubectl left it.
	mustShip(t, ns, "canary", "db", "--image", db2, "--replicas", "1")
	eventuallyStateful(t, ns, "db-0="+db1+" current", "db-1="+db1+" current", "db-2="+db1+" current", "db-3="+db2+" update")
}
