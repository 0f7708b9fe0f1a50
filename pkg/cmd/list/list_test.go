package list

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestListRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdList, []cmdtest.Refusal{
		{Args: []string{"-l", "a in ("}, Want: `-l "a in ("`},
		{Args: []string{"--contexts", "ctx", "--all-contexts"}, Want: "give --contexts or --all-contexts, not both"},
		{Args: []string{"--all-contexts", "-o", "name"}, Want: "-o name: across contexts, use -o json or yaml"},
		{Args: []string{"--all-contexts", "--request-timeout", "soon"}, Want: `--request-timeout "soon": give a duration such as 10s, or seconds`},
		{Args: []string{"-o", "toml"}, Want: "unable to match a printer"},
		{Args: []string{"web"}, Want: `unknown command "web" for "list"`},
		{Args: []string{"-A"}, Want: cmdtest.Refused},
	})
}

// Across contexts, a cluster that cannot be reached is listed with its
// error, in a table or in -o json.
func TestFleetListShowsAnUnreachableCluster(t *testing.T) {
	r := cmdtest.Run(t, NewCmdList, "", "--all-contexts")
	if lines := strings.Split(strings.TrimSpace(r.Out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "ctx") || !strings.Contains(lines[1], "connection refused") {
		t.Errorf("printed:\n%s", r.Out)
	}
	r = cmdtest.Run(t, NewCmdList, "", "--contexts", "ctx", "-o", "json")
	var list struct {
		Items []struct{ Context, Error string }
	}
	if err := json.Unmarshal([]byte(r.Out), &list); err != nil || len(list.Items) != 1 || list.Items[0].Context != "ctx" || !strings.Contains(list.Items[0].Error, cmdtest.Refused) {
		t.Errorf("%v: %s", err, r.Out)
	}
	if r.Err == nil || !strings.Contains(r.Err.Error(), "ctx") {
		t.Errorf("error %v", r.Err)
	}
}
