package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestAlreadyDone(t *testing.T) {
	root := &cobra.Command{Use: "kubectl-ship", Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ship"}}
	promote := &cobra.Command{Use: "promote"}
	root.AddCommand(promote)
	f := NewMutationFlags()
	f.AddFlags(promote)
	tests := []struct {
		name string
		last release.Operation
		want string // in the message; "" when it is not done
	}{
		{"finished", release.Operation{Command: "kubectl ship promote web"}, "already done by 'kubectl ship promote web'"},
		{"finished, with flags", release.Operation{Command: "kubectl ship promote web --timeout=1m0s"}, "already done by"},
		{"interrupted", release.Operation{Command: "kubectl ship promote web", Error: "interrupted", Interrupted: true},
			"the interrupted 'kubectl ship promote web' had made its last change"},
		{"failed", release.Operation{Command: "kubectl ship promote web", Error: "timed out"}, ""},
		{"another verb", release.Operation{Command: "kubectl ship abort web"}, ""},
		{"another release", release.Operation{Command: "kubectl ship promote web2"}, ""},
		{"no record", release.Operation{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, done := f.alreadyDone(tt.last, "web")
			switch {
			case tt.want == "" && done:
				t.Errorf("done: %q", msg)
			case tt.want != "" && (!done || !strings.Contains(msg, tt.want)):
				t.Errorf("got %q (done %v), want it to contain %q", msg, done, tt.want)
			}
		})
	}
}
