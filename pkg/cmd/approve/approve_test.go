package approve

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

const header = "apiVersion: kubectl-ship.dev/v1alpha1\nkind: ReleasePolicy\n"

func TestApproveAndRejectRefuseBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdApprove, []cmdtest.Refusal{
		{Args: nil, Want: "accepts 1 arg(s), received 0"},
		// Checked, the verdict's first request fails: the server says why.
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
	cmdtest.Refuses(t, NewCmdReject, []cmdtest.Refusal{
		{Args: []string{"web"}, Want: "--reason is required: say why the release is rejected, for the record"},
		{Args: []string{"web", "--reason", "p99 doubled", "extra"}, Want: "accepts 1 arg(s), received 2"},
		{Args: []string{"web", "--reason", "p99 doubled"}, Want: cmdtest.Refused},
	})
}

// With no process running the progression, approve notifies as the
// progression's record says: its policy's receivers and those of --notify.
func TestNotifierFromTheRecord(t *testing.T) {
	t.Setenv("HOOK", "http://127.0.0.1:9/hook")
	tests := []struct {
		name   string
		resume *release.Resume
		none   bool
		err    string
	}{
		{"no record", nil, true, ""},
		{"no receivers", &release.Resume{Policy: header + "spec: {steps: [10, pause]}"}, true, ""},
		{"--notify", &release.Resume{Policy: header + "spec: {}", Args: []string{"--image", "web:2", "--notify", "slack=env:HOOK"}}, false, ""},
		{"an unreadable policy", &release.Resume{Policy: "kind: Rollout"}, true, "the progression's record: "},
		{"a bad --notify", &release.Resume{Policy: header + "spec: {}", Args: []string{"--notify", "slack=http://127.0.0.1:9/hook"}}, true, "a webhook URL is a secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := (&Options{}).notifier(context.Background())(&release.Progression{Resume: tc.resume}, nil)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			if (n == nil) != tc.none {
				t.Errorf("notifier %v, want none: %v", n, tc.none)
			}
		})
	}
}
