package adopt

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestAdoptRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdAdopt, []cmdtest.Refusal{
		{Args: nil, Want: "accepts 1 arg(s), received 0"},
		{Args: []string{"web", "--canary", "web-a", "--green", "web-b"}, Want: "give --canary or --green, not both"},
		{Args: []string{"web", "--green", "web"}, Want: "--green web: that is the release's own Deployment; name the Deployment beside it"},
		{Args: []string{"web", "--dry-run=maybe"}, Want: `--dry-run must be "none", "server" or "client", not "maybe"`},
		{Args: []string{"web", "--canary", "web-v2", "--dry-run=client"}, Want: cmdtest.Refused},
	})
}
