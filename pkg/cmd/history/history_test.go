package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestHistoryRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdHistory, []cmdtest.Refusal{
		{Args: nil, Want: "accepts 1 arg(s), received 0"},
		{Args: []string{"web", "-o", "toml"}, Want: "unable to match a printer"},
		{Args: []string{"web", "--all-contexts", "--parallel", "0"}, Want: "--parallel must be at least 1, not 0"},
		{Args: []string{"web", "--contexts", "staging-*"}, Want: `--contexts: "staging-*" matches no context of the kubeconfig (its contexts: ctx)`},
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
}

// Across contexts the operations print in one table, a cluster that cannot
// be reached as a row that says so.
func TestFleetHistoryTable(t *testing.T) {
	r := cmdtest.Run(t, NewCmdHistory, "", "web", "--contexts", "ctx")
	lines := strings.Split(strings.TrimSpace(r.Out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CONTEXT") || !strings.Contains(lines[0], "COMMAND") ||
		!strings.HasPrefix(lines[1], "ctx") || !strings.Contains(lines[1], "connection refused") {
		t.Errorf("printed:\n%s", r.Out)
	}
	if r.Err == nil || !strings.Contains(r.Err.Error(), "ctx") {
		t.Errorf("error %v", r.Err)
	}
}

func TestOperationRows(t *testing.T) {
	if rows := operationRows(nil); len(rows) != 1 || rows[0].Cells[3] != "no kubectl-ship operations recorded" {
		t.Errorf("no operations: %+v", rows)
	}
	at := metav1.NewTime(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	ops := []release.Operation{
		{Time: at, User: "alice", Command: "kubectl ship canary web --image web:2", Changes: []string{"deployment.apps/web-canary created"}},
		{Time: at, User: "bob", Command: "kubectl ship abort web", Error: "forbidden"},
	}
	rows := operationRows(ops)
	if len(rows) != 2 {
		t.Fatalf("rows: %+v", rows)
	}
	for i, op := range ops {
		if got := fmt.Sprint(rows[i].Cells[1:3]...); got != op.User+op.Command {
			t.Errorf("row %d: %v", i, rows[i].Cells)
		}
	}
}
