package canary

import (
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestCanaryRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdCanary, []cmdtest.Refusal{
		{Args: []string{"web"}, Want: "--image: no image given"},
		{Args: []string{"web", "--image", "web:2", "--weight", "101"}, Want: "--weight must be between 0 and 100, not 101"},
		{Args: []string{"web", "--image", "web:2", "--weight", "5", "--replicas", "1", "--route", "none"}, Want: "give --weight or --replicas, not both"},
		{Args: []string{"web", "--image", "web:2", "--header", "X-Canary"}, Want: `--header: "X-Canary": want NAME=VALUE (exact) or NAME~REGEX`},
		{Args: []string{"web", "--image", "web:2", "--cookie", "a=b"}, Want: `--cookie: "a=b" is not a cookie name`},
		{Args: []string{"web", "--image", "web:2", "--sticky=forever"}, Want: `invalid argument "forever" for "--sticky" flag: want a number of seconds from 1 to 86400`},
		{Args: []string{"web", "--image", "web:2", "--sticky=0"}, Want: "want a number of seconds from 1 to 86400"},
		{Args: []string{"web", "--image", "web:2", "--steps", "10,x"}, Want: `"x" is neither a weight in percent nor pause`},
		{Args: []string{"web", "--image", "web:2", "--interval", "1m"}, Want: "--interval and --no-promote need --steps"},
		{Args: []string{"web", "--image", "web:2", "--notify", "slack=http://127.0.0.1:9/hook"}, Want: "a webhook URL is a secret"},
		{Args: []string{"web", "--image", "web:2", "--policy", "/nonexistent/policy.yaml"}, Want: "/nonexistent/policy.yaml"},
		{Args: []string{"web", "--image", "web:2", "--wave", "ctx", "-o", "json"}, Want: "-o json: across contexts the results print as lines"},
		{Args: []string{"web", "--image", "web:2", "--weight", "25", "--sticky=600"}, Want: cmdtest.Refused},
		{Args: []string{"web", "--image", "web:2", "--replicas", "1", "--sticky"}, Want: cmdtest.Refused},
	})
}
