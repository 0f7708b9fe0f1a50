package set

import (
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestSetImageRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdSet, []cmdtest.Refusal{
		{Args: []string{"image", "web"}, Want: "give the new image(s) after the release name"},
		{Args: []string{"image", "web", "Web:2"}, Want: `"Web:2" is not a valid image reference`},
		{Args: []string{"image", "web", "web:2", "--undo-on-failure", "--wait=false"}, Want: "--undo-on-failure needs --wait"},
		{Args: []string{"image", "web", "web:2"}, Want: cmdtest.Refused},
	})
}

// set alone lists what it sets, as kubectl set does.
func TestSetHelp(t *testing.T) {
	r := cmdtest.Run(t, NewCmdSet, "")
	if r.Err != nil || !strings.Contains(r.Out, "image") || !strings.Contains(r.Out, "Roll the stable Deployment of a release to new images") {
		t.Errorf("%v\n%s", r.Err, r.Out)
	}
}
