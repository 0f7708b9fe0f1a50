// Package set implements `kubectl ship set` and its verb `set image`.
package set

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
)

// NewCmdSet returns the set command, which only groups its subcommands.
func NewCmdSet(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set SUBCOMMAND",
		Short: "Change a release's stable Deployment in place",
		Long: `Change the stable Deployment of a release in place, as 'kubectl set' does,
refusing while a canary or blue-green release is in progress.`,
		// Runnable, so that NoArgs rejects an unknown subcommand rather
		// than cobra printing the help with exit status 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewCmdImage(f, streams))
	return cmd
}
