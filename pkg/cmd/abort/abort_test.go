package abort

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestAbortRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdAbort, []cmdtest.Refusal{
		{Args: nil, Want: "give the name of a release (its stable Deployment) or a selector with -l"},
		{Args: []string{"web", "-l", "app=web"}, Want: "give release names or -l, not both"},
		{Args: []string{"web", "--soak", "1m"}, Want: "--soak needs --wave: the soak follows each wave"},
		{Args: []string{"web", "--dry-run=maybe"}, Want: `--dry-run must be "none", "server" or "client", not "maybe"`},
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
}
