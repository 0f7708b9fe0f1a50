package scale

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestScaleRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdScale, []cmdtest.Refusal{
		{Args: []string{"web"}, Want: "--replicas is required: give the number of stable pods"},
		{Args: []string{"web", "--replicas", "-1"}, Want: "--replicas must not be negative, not -1"},
		{Args: []string{"--replicas", "3"}, Want: "give the name of a release (its stable Deployment) or a selector with -l"},
		{Args: []string{"web", "--replicas", "three"}, Want: `invalid argument "three" for "--replicas" flag`},
		{Args: []string{"web", "--replicas", "0"}, Want: cmdtest.Refused},
	})
}
