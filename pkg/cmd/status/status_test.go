package status

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestStatusRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdStatus, []cmdtest.Refusal{
		{Args: nil, Want: "accepts 1 arg(s), received 0"},
		{Args: []string{"web", "--until", "done"}, Want: `--until must be one of ` + untilNames + `, not "done"`},
		{Args: []string{"web", "--timeout=-1s"}, Want: "--timeout must not be negative, not -1s"},
		{Args: []string{"web", "--all-contexts", "--until", "healthy"}, Want: "--watch and --until follow one cluster: give --context instead of --contexts/--all-contexts"},
		{Args: []string{"web", "--canary", "web"}, Want: "--canary web: that is the release's own Deployment"},
		{Args: []string{"web", "-o", "toml"}, Want: "unable to match a printer"},
		// Checked, then the one request fails: the server's address says why.
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
}

// Across contexts, a cluster that cannot be reached is a row of its own,
// with its error, and the exit status says not every cluster is healthy.
func TestFleetStatusShowsAnUnreachableCluster(t *testing.T) {
	r := cmdtest.Run(t, NewCmdStatus, "", "web", "--contexts", "ctx", "-o", "json")
	var list struct {
		Kind  string
		Items []struct{ Context, Error string }
	}
	if err := json.Unmarshal([]byte(r.Out), &list); err != nil {
		t.Fatalf("%v: %s", err, r.Out)
	}
	if list.Kind != "ReleaseStatusList" || len(list.Items) != 1 || list.Items[0].Context != "ctx" || !strings.Contains(list.Items[0].Error, "connection refused") {
		t.Errorf("printed %s", r.Out)
	}
	if r.Err == nil || r.Err.Error() != "not every cluster is healthy: unreachable or forbidden in ctx" {
		t.Errorf("error %v", r.Err)
	}
}

// Each state --until waits for, reached or not.
func TestUntilStates(t *testing.T) {
	paused := &release.Progression{Phase: release.ProgressionPaused}
	approved := &release.Progression{Phase: release.ProgressionRunning, Approvals: []release.Approval{{Verdict: release.VerdictApproved}}}
	tests := []struct {
		name  string
		until string
		st    release.Status
		want  bool
	}{
		{"healthy", "healthy", release.Status{Phase: release.PhaseHealthy}, true},
		{"progressing is not healthy", "healthy", release.Status{Phase: release.PhaseProgressing}, false},
		{"paused by kubectl rollout pause", "paused", release.Status{Phase: release.PhasePaused}, true},
		{"paused at a pause step", "paused", release.Status{Phase: release.PhaseHealthy, Progression: paused}, true},
		{"approved", "approved", release.Status{Progression: approved}, true},
		{"a pause awaiting a verdict", "approved", release.Status{Progression: paused}, false},
		{"canary ready", "canary-ready", release.Status{Strategy: release.StrategyCanary, Phase: release.PhaseHealthy}, true},
		{"no canary", "canary-ready", release.Status{Strategy: release.StrategyNone, Phase: release.PhaseHealthy}, false},
		{"switched", "switched", release.Status{Strategy: release.StrategyBlueGreen, Phase: release.PhaseHealthy,
			Deployments: []release.DeploymentStatus{{Role: release.RoleGreen, Serving: ptr.To(true)}},
			Services:    []release.ServiceStatus{{Traffic: map[string]float64{release.RoleGreen: 100}}}}, true},
		{"switching", "switched", release.Status{Strategy: release.StrategyBlueGreen, Phase: release.PhaseHealthy,
			Deployments: []release.DeploymentStatus{{Role: release.RoleGreen, Serving: ptr.To(true)}},
			Services:    []release.ServiceStatus{{Traffic: map[string]float64{release.RoleGreen: 40}}}}, false},
		{"promoted", "promoted", release.Status{Strategy: release.StrategyNone, LastOperation: &release.Operation{Verb: "promote"}}, true},
		{"rolled back", "rolled-back", release.Status{Strategy: release.StrategyNone, LastOperation: &release.Operation{Verb: "abort"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := untilStates[tc.until](&tc.st); got != tc.want {
				t.Errorf("--until %s reached: %v, want %v", tc.until, got, tc.want)
			}
		})
	}
}

// --until fails at once, with its own exit code, when the release ended
// the other way; a degraded release is exit 1.
func TestEndedOtherwise(t *testing.T) {
	rolledBack := &release.Status{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Strategy: release.StrategyCanary,
		Progression: &release.Progression{Color: release.Green, Phase: release.ProgressionRolledBack, EndedBy: "kubectl ship abort web\x1b[2J"}}
	promoted := &release.Status{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Strategy: release.StrategyNone, LastOperation: &release.Operation{Verb: "promote", Command: "kubectl ship promote web"}}
	tests := []struct {
		until string
		st    *release.Status
		code  int
		want  string
	}{
		{"promoted", rolledBack, exitRolledBack, "release web was rolled back by kubectl ship abort web^[[2J, so it will not be promoted"},
		{"switched", rolledBack, exitRolledBack, "so it will not be switched"},
		{"healthy", rolledBack, 0, ""},
		{"rolled-back", promoted, exitPromoted, "release web was promoted by kubectl ship promote web, so it will not be rolled back"},
		{"promoted", promoted, 0, ""},
	}
	for _, tc := range tests {
		err := (&Options{Until: tc.until}).endedOtherwise(tc.st)
		if code := exitCode(err); code != tc.code || tc.want != "" && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--until %s: exit %d, %v; want %d, %q", tc.until, code, err, tc.code, tc.want)
		}
	}
	degraded := &release.Status{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Phase: release.PhaseDegraded, Warnings: []string{"a", "b"}}
	if err := verdict(degraded); exitCode(err) != exitDegraded || err.Error() != "release web is degraded: a; b" {
		t.Errorf("degraded: %v", err)
	}
	if err := verdict(&release.Status{Phase: release.PhaseHealthy}); err != nil {
		t.Errorf("healthy: %v", err)
	}
}

func exitCode(err error) int {
	var exit *cli.ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	return 0
}
