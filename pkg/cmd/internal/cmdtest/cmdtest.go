// Package cmdtest runs one verb's command in a unit test as kubectl ship
// runs it, with kubectl's connection flags, against a kubeconfig whose one
// cluster listens nowhere: whatever the verb checks before its first request
// shows, and a request fails at once. Only tests import it (test/imports
// holds that).
package cmdtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
)

// Nowhere is the server of the kubeconfig's one cluster: a loopback port
// where nothing listens.
const Nowhere = "https://127.0.0.1:1"

// Refused ends the error of a request to Nowhere.
const Refused = "127.0.0.1:1: connect: connection refused"

// NewCmd is a verb's command constructor, as pkg/cmd calls it.
type NewCmd func(*cli.Factory, genericiooptions.IOStreams) *cobra.Command

// Result is what a command printed and returned.
type Result struct {
	Out, ErrOut string
	Err         error
}

// Run runs the command newCmd builds with args, stdin given as in.
func Run(t *testing.T, newCmd NewCmd, in string, args ...string) Result {
	t.Helper()
	t.Setenv("KUBECONFIG", kubeconfig(t))
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: bytes.NewBufferString(in), Out: &out, ErrOut: &errOut}
	flags := genericclioptions.NewConfigFlags(true)
	cmd := newCmd(cli.NewFactory(flags, &errOut), streams)
	flags.AddFlags(cmd.PersistentFlags())
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	err := cmd.Execute()
	return Result{Out: out.String(), ErrOut: errOut.String(), Err: err}
}

// kubeconfig writes a kubeconfig of one context, ctx, on Nowhere.
func kubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	config := `apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: "` + Nowhere + `"}}
users:
- {name: u, user: {token: x}}
contexts:
- {name: ctx, context: {cluster: c, user: u, namespace: ns}}
current-context: ctx
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Refusal is a command line and the error it must end with.
type Refusal struct {
	Args []string
	// Want is in the error, which is one line.
	Want string
}

// Refuses runs each command line and checks that it fails with one line
// that holds Want, having printed nothing on standard output.
func Refuses(t *testing.T, newCmd NewCmd, refusals []Refusal) {
	t.Helper()
	for _, tc := range refusals {
		t.Run(strings.Join(tc.Args, " "), func(t *testing.T) {
			r := Run(t, newCmd, "", tc.Args...)
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.Want) || strings.Contains(r.Err.Error(), "\n") || r.Out != "" {
				t.Errorf("error %v, printed %q; want one line with %q", r.Err, r.Out, tc.Want)
			}
		})
	}
}
