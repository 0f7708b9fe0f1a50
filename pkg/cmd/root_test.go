package cmd

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Each verb's flags and arguments are checked before any request: these run
// with a kubeconfig that names no cluster, so one that tried to connect
// would fail with another error.
func TestVerbsRefuseBadInputBeforeAnyRequest(t *testing.T) {
	t.Setenv("KUBECONFIG", "/nonexistent")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"canary", "web"}, "--image: no image given"},
		{[]string{"canary", "web", "--image", "Web:2"}, `"Web:2" is not a valid image reference`},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "0"}, "--weight must be between 1 and 99 percent, not 0"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "100"}, "--weight must be between 1 and 99 percent, not 100"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "5", "--replicas", "1"}, "give --weight or --replicas, not both"},
		{[]string{"canary", "web", "--image", "web:2", "--replicas", "0"}, "--replicas must be at least 1, not 0: to remove the canary run 'kubectl ship abort web'"},
		{[]string{"canary", "web", "--image", "web:2", "--dry-run=maybe"}, `--dry-run must be "none", "server" or "client", not "maybe"`},
		{[]string{"canary", "web", "--image", "web:2", "-o", "toml"}, "unable to match a printer"},
		{[]string{"promote"}, "give the name of a release (its stable Deployment) or a selector with -l"},
		{[]string{"abort", "web", "-l", "app=web"}, "give release names or -l, not both"},
		{[]string{"promote", "web", "--timeout=-1s"}, "--timeout must not be negative"},
		{[]string{"bluegreen", "web"}, "--image: no image given"},
		{[]string{"bluegreen-switch", "web", "--to", "red"}, `--to: unknown color "red": use blue or green`},
		{[]string{"bluegreen-switch", "web", "--scale-down-delay=-1m"}, "--scale-down-delay must not be negative"},
		{[]string{"scale", "web"}, "--replicas is required: give the number of stable pods"},
		{[]string{"scale", "web", "--replicas", "-1"}, "--replicas must not be negative, not -1"},
		{[]string{"set", "image", "web"}, "give the new image(s) after the release name"},
		{[]string{"set", "image", "web", "web:2", "--undo-on-failure", "--wait=false"}, "--undo-on-failure needs --wait"},
		{[]string{"status", "web", "--until", "done"}, `--until must be one of healthy, canary-ready, switched, paused, promoted, rolled-back, not "done"`},
		{[]string{"list", "-l", "a in ("}, `-l "a in ("`},
		{[]string{"history", "web", "-o", "toml"}, "unable to match a printer"},
		{[]string{"version", "-o", "toml"}, "--output must be 'yaml' or 'json'"},
		{[]string{"adopt"}, "accepts 1 arg(s), received 0"},
		{[]string{"adopt", "web", "--canary", "web-a", "--green", "web-b"}, "give --canary or --green, not both"},
		{[]string{"adopt", "web", "--canary", "web"}, "--canary web: that is the release's own Deployment; name the Deployment beside it"},
		{[]string{"adopt", "web", "--dry-run=maybe"}, `--dry-run must be "none", "server" or "client", not "maybe"`},
		{[]string{"status", "web", "--green", "web"}, "--green web: that is the release's own Deployment"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := NewCmdShip(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
			root.SetArgs(tt.args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed on stdout: %s", out.String())
			}
		})
	}
}
