package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// promoteLike is a verb on several releases, built as promote is.
type promoteLike struct{ cli.ReleasesMutation }

func (o *promoteLike) Run(ctx context.Context) error {
	return o.RunEach(ctx, strategy.Promote{}, func(name string) string { return "run it again for " + name })
}

func newCmdPromoteLike(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &promoteLike{cli.NewReleasesMutation(streams)}
	cmd := &cobra.Command{Use: "promote NAME...", RunE: cli.RunE(f, o)}
	o.AddFlags(cmd)
	return cmd
}

// With several releases, each is tried: the failures are printed one line
// each as they come, and the exit status says how many failed.
func TestSeveralReleasesGoOnPastFailures(t *testing.T) {
	r := cmdtest.Run(t, newCmdPromoteLike, "", "a", "b")
	if r.Err == nil || r.Err.Error() != "2 of 2 releases failed" {
		t.Errorf("error %v", r.Err)
	}
	lines := strings.Split(strings.TrimSpace(r.ErrOut), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "error: a: ") || !strings.HasPrefix(lines[1], "error: b: ") || !strings.HasSuffix(lines[1], cmdtest.Refused) {
		t.Errorf("printed on stderr:\n%s", r.ErrOut)
	}
	if r.Out != "" {
		t.Errorf("printed on stdout: %s", r.Out)
	}
}

func TestMutationFlags(t *testing.T) {
	cmdtest.Refuses(t, newCmdPromoteLike, []cmdtest.Refusal{
		{Args: nil, Want: "give the name of a release (its stable Deployment) or a selector with -l"},
		{Args: []string{"a", "-l", "app=a"}, Want: "give release names or -l, not both"},
		{Args: []string{"a", "--timeout=-1s"}, Want: "--timeout must not be negative"},
		{Args: []string{"a", "--dry-run=maybe"}, Want: `--dry-run must be "none", "server" or "client", not "maybe"`},
		{Args: []string{"a", "b", "--contexts", "ctx"}, Want: "across contexts, give the name of one release (no -l)"},
		{Args: []string{"a", "--context", "ctx", "--wave", "ctx"}, Want: "--context names one cluster: give --context or --wave, not both"},
		{Args: []string{"a", "--wave", "ctx", "--contexts", "ctx"}, Want: "give --wave or --contexts/--all-contexts, not both"},
		{Args: []string{"a", "--wave", "ctx", "--on-failure", "retry"}, Want: `--on-failure must be "abort" or "stop", not "retry"`},
		{Args: []string{"a", "--wave", "ctx", "--wave", "ctx"}, Want: "context ctx is in --wave 1 and --wave 2: each context goes in one wave"},
		{Args: []string{"a", "--wave", "prod-*"}, Want: `--wave 1: "prod-*" matches no context of the kubeconfig (its contexts: ctx)`},
		{Args: []string{"a", "--dry-run=client"}, Want: cmdtest.Refused},
		{Args: []string{"-l", "app=a"}, Want: cmdtest.Refused},
	})
}

// Across contexts, every cluster is planned before the first write: one
// that cannot be reached stops the release before anything changes.
func TestFleetStopsAtAnUnreachableCluster(t *testing.T) {
	r := cmdtest.Run(t, newCmdPromoteLike, "", "a", "--wave", "ctx")
	if r.Err == nil || r.Err.Error() != "nothing changed: ctx did not answer, and every cluster of the fleet must before the first write" {
		t.Errorf("error %v", r.Err)
	}
	lines := strings.Split(strings.TrimSpace(r.Out), "\n")
	if len(lines) != 5 || strings.Join(strings.Fields(lines[0]), " ") != "WAVE CONTEXT STATE DETAIL" || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "1 ctx unreachable ") ||
		!strings.Contains(r.Out, "To continue, run the same command again") || !strings.Contains(r.Out, "  promote a --wave ctx\n") {
		t.Errorf("printed:\n%s", r.Out)
	}
}
