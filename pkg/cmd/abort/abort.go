// Package abort implements `kubectl ship abort`.
package abort

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the abort command.
type Options struct {
	cli.ReleasesMutation
}

// NewOptions returns the abort command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{ReleasesMutation: cli.NewReleasesMutation(streams)}
}

// NewCmdAbort returns the abort command.
func NewCmdAbort(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "abort NAME... | -l SELECTOR",
		Short: "Remove the canary and restore the Service; the stable Deployment is untouched",
		Long: `Abort the canary of each release: delete NAME-canary and give the Service back
the session affinity it had before the canary. The stable Deployment is not
changed, so all traffic returns to it as the canary pods stop.

A release with no canary is left as it is, with exit status 0. Once a promote
has rolled the stable Deployment to the canary's template, abort refuses and
says how to finish or undo it.

` + cli.FleetWriteHelp,
		Example:           `  kubectl ship abort ctwoc`,
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.AddFlags(cmd)
	return cmd
}

// Run aborts the canary of each release.
func (o *Options) Run(ctx context.Context) error {
	return o.RunEach(ctx, strategy.Abort{}, func(name string) string { return "run 'kubectl ship abort " + name + "' again to finish" })
}
