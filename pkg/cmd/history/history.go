// Package history implements `kubectl ship history`.
package history

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Options holds the flags and state of the history command.
type Options struct {
	Output *cli.OutputFlags
	Fleet  *cli.FleetFlags

	target ship.Target
	engine *ship.Engine
	genericiooptions.IOStreams
}

// NewOptions returns the history command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Output: cli.NewOutputFlags(), Fleet: cli.NewFleetFlags(), IOStreams: streams}
}

// NewCmdHistory returns the history command.
func NewCmdHistory(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "Show the revisions of a release and what kubectl-ship did to it",
		Long: `Show the revisions of the stable Deployment NAME, or of the StatefulSet or
DaemonSet NAME, as 'kubectl rollout history' knows them (with their images
and change cause; a StatefulSet's or DaemonSet's current revision is marked
and, during a canary, the canary's revision as update), and the kubectl-ship
operations run on the release: when, the command, and what it changed or why
it stopped. ship keeps the last 30 operations in the release's Lease
(kubectl-ship-NAME) and leaves each as an Event on the Deployment too. Three
requests (four for a StatefulSet, five for a DaemonSet), however many
revisions.

` + cli.FleetReadHelp,
		Example: `  kubectl ship history ctwoc
  kubectl ship history ctwoc -o json
  kubectl ship history ctwoc --contexts 'prod-*'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.Output.AddFlags(cmd)
	o.Fleet.AddFlags(cmd)
	return cmd
}

// Complete reads the release's name and the engine.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.target = ship.Target{Name: args[0]}
	o.engine = f.Engine()
	o.Fleet.Complete(f, cmd)
	return nil
}

// Validate checks -o and the fleet's flags; it makes no request.
func (o *Options) Validate() error {
	if err := o.Fleet.Validate(); err != nil {
		return err
	}
	return o.Output.Validate()
}

// Run reads the revisions and the record, and prints them.
func (o *Options) Run(ctx context.Context) error {
	if o.Fleet.Enabled() {
		return o.runFleet(ctx)
	}
	h, err := o.engine.History(ctx, o.target)
	if err != nil {
		return err
	}
	return o.Output.Print(o.Out, h, func(w io.Writer) error { return printers.History(w, h) })
}
