package bluegreen

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// CleanupOptions holds the flags and state of the bluegreen cleanup command.
type CleanupOptions struct {
	Delete bool
	cli.ReleasesMutation
}

// NewCleanupOptions returns the cleanup command's defaults.
func NewCleanupOptions(streams genericiooptions.IOStreams) *CleanupOptions {
	return &CleanupOptions{ReleasesMutation: cli.NewReleasesMutation(streams)}
}

// NewCmdCleanup returns the bluegreen cleanup command.
func NewCmdCleanup(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewCleanupOptions(streams)
	cmd := &cobra.Command{
		Use:   "cleanup NAME... | -l SELECTOR",
		Short: "Scale the idle color of a blue-green release to zero, or delete green with --delete",
		Long: `Scale the idle color to zero once you are sure of the switch, or with --delete
remove NAME-green (and NAME-preview) when green is idle. The serving color is
never touched, and nothing scales a color down on its own: switching back
needs the other color still running.

` + cli.FleetWriteHelp,
		Example: `  kubectl ship bluegreen cleanup ctwoc
  kubectl ship bluegreen cleanup ctwoc --delete`,
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	cmd.Flags().BoolVar(&o.Delete, "delete", false, "Delete green instead of scaling it to zero (only when green is idle).")
	o.AddFlags(cmd)
	return cmd
}

// Run cleans up each release.
func (o *CleanupOptions) Run(ctx context.Context) error {
	return o.RunEach(ctx, strategy.Cleanup{Delete: o.Delete}, func(name string) string {
		return "run 'kubectl ship bluegreen cleanup " + name + "' again"
	})
}
