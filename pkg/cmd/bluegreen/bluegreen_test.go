package bluegreen

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestBlueGreenRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdBlueGreen, []cmdtest.Refusal{
		{Args: []string{"web"}, Want: "--image: no image given"},
		{Args: []string{"web", "--image", "Web:2"}, Want: `"Web:2" is not a valid image reference`},
		{Args: []string{"web", "--image", "web:2", "--webhook", "http://127.0.0.1:9"}, Want: "--analysis and --webhook need --verify-for"},
		{Args: []string{"cleanup"}, Want: "give the name of a release (its stable Deployment) or a selector with -l"},
		{Args: []string{"cleanup", "web", "--timeout=-1s"}, Want: "--timeout must not be negative"},
		{Args: []string{"cleanup", "web", "--to", "blue"}, Want: "unknown flag: --to"},
		{Args: []string{"web", "--image", "web:2", "--preview-service-name", "web-try"}, Want: cmdtest.Refused},
		{Args: []string{"cleanup", "web", "--delete"}, Want: cmdtest.Refused},
	})
}

func TestSwitchRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdSwitch, []cmdtest.Refusal{
		{Args: []string{"web", "--to", "red"}, Want: `--to: unknown color "red": use blue or green`},
		{Args: []string{"web", "--scale-down-delay=-1m"}, Want: "--scale-down-delay must not be negative"},
		{Args: []string{"web", "--interval", "2m"}, Want: "--interval needs --steps"},
		{Args: []string{"web", "--steps", "10,pause"}, Want: "--steps: a switch does not pause"},
		{Args: []string{"web", "--steps", "50,10"}, Want: `--steps: "50,10": the weights must increase`},
		{Args: []string{"web", "--steps", "10", "--to", "blue"}, Want: "--steps shifts traffic to green"},
		{Args: []string{"web", "--steps", "10", "--route", "none"}, Want: "--steps shifts an HTTPRoute's traffic"},
		{Args: []string{"web", "--steps", "10", "--interval", "5s"}, Want: "--interval (5s) must be at least --check-every (10s)"},
		{Args: []string{"web", "--policy", "/nonexistent/policy.yaml"}, Want: "/nonexistent/policy.yaml"},
		{Args: []string{"web", "--to", "blue"}, Want: cmdtest.Refused},
	})
}
