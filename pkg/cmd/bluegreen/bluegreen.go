// Package bluegreen implements `kubectl ship bluegreen`, its cleanup, and
// `kubectl ship bluegreen-switch`.
package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the bluegreen command.
type Options struct {
	Images      []string
	Service     string
	Preview     bool
	PreviewName string
	VerifyFor   time.Duration
	GateFlags   *cli.GateFlags

	*cli.Mutation
	target  ship.Target
	planner strategy.BlueGreen
}

// NewOptions returns the bluegreen command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Mutation: cli.NewMutation(streams), GateFlags: cli.NewGateFlags()}
}

// NewCmdBlueGreen returns the bluegreen command, with cleanup beneath it.
func NewCmdBlueGreen(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "bluegreen NAME --image [CONTAINER=]IMAGE",
		Short: "Bring a new image up in the idle color of a blue-green release, moving no traffic",
		Long: `Bring the new image(s) up in the idle color of release NAME, at the serving
color's replica count, and wait until every pod is ready. Blue is the
Deployment NAME; green is NAME-green, created from blue's pod template the
first time. No traffic moves: 'kubectl ship bluegreen-switch NAME' does that.

The Services switch between the colors on a pod label: a version label the
pods already carry (version, app.kubernetes.io/version; green gets the new
image's tag), or else kubectl-ship.dev/color, which blue's pods then get
through a rolling update, announced before it starts. Blue-green runs both
colors at once and so needs twice the capacity: that is said, with the pods'
resource requests against the nodes' allocatable capacity, before acting.

Interrupted at any point, running the command again continues. Exit status is
0 once the idle color is ready, 1 on any error.

` + cli.FleetWriteHelp,
		Example: `  # Green runs 2.0.0 beside blue's 1.0.0; the Service still routes to blue
  kubectl ship bluegreen ctwoc --image example/ctwoc:2.0.0 --preview-service`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	flags := cmd.Flags()
	flags.StringArrayVar(&o.Images, "image", nil, "New image as [CONTAINER=]IMAGE; repeat for several containers.")
	flags.StringVar(&o.Service, "service", "", "Switch only this Service, when several route to the release.")
	flags.BoolVar(&o.Preview, "preview-service", false, "Create NAME-preview, a Service routing to the idle color, to try it before the switch.")
	flags.StringVar(&o.PreviewName, "preview-service-name", "", "Name the preview Service (implies --preview-service); for release names that NAME-preview does not fit.")
	flags.DurationVar(&o.VerifyFor, "verify-for", 0, "Once the idle color is ready, check its gates for this long before anything can switch to it; a failure leaves the serving color alone (exit 4).")
	o.GateFlags.AddFlags(cmd)
	o.AddFlags(cmd)
	cmd.AddCommand(NewCmdCleanup(f, streams))
	return cmd
}

// Complete reads the arguments and the engine.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.target = ship.Target{Name: args[0], Service: o.Service}
	o.Mutation.Complete(f, cmd, args)
	return nil
}

// Validate checks the flags and builds the request; it makes no request.
func (o *Options) Validate() error {
	images, err := strategy.ParseImages(o.Images)
	if err != nil {
		return fmt.Errorf("--image: %w", err)
	}
	o.planner = strategy.BlueGreen{Request: strategy.BlueGreenRequest{Images: images, Preview: o.Preview || o.PreviewName != "", PreviewName: o.PreviewName, Verify: o.VerifyFor}}
	if o.Gates, err = o.GateFlags.Verify(o.VerifyFor); err != nil {
		return err
	}
	return o.MutationFlags.Validate()
}

// Run plans the release from the cluster's state and carries it out.
func (o *Options) Run(ctx context.Context) error {
	return o.Mutation.Run(ctx, o.target, o.planner, "run the same command again to keep waiting; no traffic has moved")
}
