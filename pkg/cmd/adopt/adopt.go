// Package adopt implements `kubectl ship adopt`.
package adopt

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the adopt command.
type Options struct {
	Service string
	// Choice is --canary or --green.
	Choice cli.Choice

	*cli.Mutation
	target ship.Target
}

// NewOptions returns the adopt command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Mutation: cli.NewMutation(streams)}
}

// NewCmdAdopt returns the adopt command.
func NewCmdAdopt(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "adopt NAME [--canary DEPLOYMENT | --green DEPLOYMENT]",
		Short: "Take over a canary or green made by hand, so that kubectl ship can finish its release",
		Long: `Adopt the canary or green of release NAME that was made by hand, as the
walkthrough's manifests make them, so that promote, abort, canary, scale,
bluegreen-switch, cleanup and set image act on it as on one kubectl-ship
created. Until then those commands refuse, naming this one: what kubectl-ship
recognised is confirmed before anything deletes or rolls it.

kubectl-ship takes for a canary a Deployment of the same application (app
label) that every Service of the release routes to, NAME-canary first; for a
green, one whose pods differ from the stable pods only in the label the
Services switch on (version), NAME-green first. --canary or --green names
another, or chooses among several.

Adoption writes only the Deployment's own labels and annotations
(kubectl-ship.dev/release and role; adopted; a canary's weight, its current
share of the pods; a green's color key and next color), printed before
anything changes, with the field manager kubectl-ship. The Deployment keeps
its name, selector and pod template: no pod restarts. The command returns
once the Deployment controller has seen the change. --dry-run shows it.
Adopting an adopted release changes nothing and exits 0; a release with
nothing made by hand to adopt exits 1.`,
		Example: `  kubectl ship adopt ctwoc                        # ctwoc-canary or ctwoc-green beside ctwoc
  kubectl ship adopt ctwoc --canary ctwoc-v2 --dry-run
  kubectl ship adopt ctwoc --green ctwoc-next`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.Choice.AddFlags(cmd)
	cmd.Flags().StringVar(&o.Service, "service", "", "The Service that routes to the release, when several select its pods.")
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the release's name and the engine.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.Mutation.Complete(f, cmd, args)
	o.target = ship.Target{Name: args[0], Service: o.Service, Canary: o.Choice.Canary, Green: o.Choice.Green}
	return nil
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	if err := o.Choice.Validate(o.target.Name); err != nil {
		return err
	}
	return o.Mutation.Validate()
}

// Run adopts the release.
func (o *Options) Run(ctx context.Context) error {
	return o.Mutation.Run(ctx, o.target, strategy.Adopt{}, "run 'kubectl ship adopt "+o.target.Name+"' again to finish")
}
