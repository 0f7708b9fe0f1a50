package promote

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestPromoteRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdPromote, []cmdtest.Refusal{
		{Args: nil, Want: "give the name of a release (its stable Deployment) or a selector with -l"},
		{Args: []string{"web", "--timeout=-1s"}, Want: "--timeout must not be negative"},
		{Args: []string{"a", "b", "--all-contexts"}, Want: "across contexts, give the name of one release (no -l)"},
		{Args: []string{"web", "--wave", "ctx", "--wave", " , "}, Want: "--wave 2 is empty: give it context names or globs"},
		{Args: []string{"web", "-o", "toml"}, Want: "unable to match a printer"},
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
}
