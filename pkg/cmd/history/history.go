// Package history implements `kubectl ship history`.
package history

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Options holds the flags and state of the history command.
type Options struct {
	Output *cli.OutputFlags

	getter *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// NewCmdHistory returns the history command.
func NewCmdHistory(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{Output: cli.NewOutputFlags(), getter: getter, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "Show the revisions of a release and what kubectl-ship did to it",
		Long: `Show the revisions of the stable Deployment NAME, as 'kubectl rollout history'
knows them (with their images and change cause), and the kubectl-ship
operations run on the release: when, the command, and what it changed or why
it stopped. ship keeps the last 30 operations in the release's Lease
(kubectl-ship-NAME) and leaves each as an Event on the Deployment too.
Three requests.`,
		Example: `  kubectl ship history ctwoc
  kubectl ship history ctwoc -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(getter),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Output.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context(), args[0])
		},
	}
	o.Output.AddFlags(cmd)
	return cmd
}

// Run reads the revisions and the record, and prints them.
func (o *Options) Run(ctx context.Context, name string) error {
	client, err := kube.NewClient(o.getter)
	if err != nil {
		return err
	}
	d, replicaSets, err := client.RolloutHistory(ctx, name)
	if err != nil {
		return err
	}
	record, err := client.Record(ctx, name)
	if err != nil {
		return err
	}
	h := release.NewHistory(d, replicaSets, record)
	return o.Output.Print(o.Out, h, func(w io.Writer) error { return printers.History(w, h) })
}
