// Package scale implements `kubectl ship scale`.
package scale

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the scale command.
type Options struct {
	Replicas  int32
	AllColors bool
	cli.ReleasesMutation

	replicasSet bool
}

// NewOptions returns the scale command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{ReleasesMutation: cli.NewReleasesMutation(streams)}
}

// NewCmdScale returns the scale command.
func NewCmdScale(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "scale NAME... | -l SELECTOR --replicas N",
		Short: "Resize a release, keeping its canary's share or scaling its serving color",
		Long: `Scale release NAME to N stable pods, as one release rather than one
Deployment. With a canary in place, the canary is resized beside them so it
keeps its share of the traffic: the weight it was given with --weight, or else
its current share of the pods; the weight that results is printed first. In a
blue-green release the serving color is scaled and the idle one left as it is;
--all-colors scales both. Anything else scales the Deployment NAME alone.

--replicas is required. 0 takes every pod of the release away, the canary's
too, so the Service has no ready endpoints: it is done only because it was
asked for explicitly, and said out loud.

ship then waits until every resized Deployment has its pods available, as
'kubectl rollout status' does. Scaling to the current size changes nothing
and exits 0; exit status is 1 on any error, and on a bad argument nothing in
the cluster is changed.

` + cli.FleetWriteHelp,
		Example: `  # 6 stable pods; a canary at 25% grows from 1 to 2 pods
  kubectl ship scale ctwoc --replicas 6

  # Both colors of a blue-green release
  kubectl ship scale ctwoc --replicas 4 --all-colors`,
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	cmd.Flags().Int32Var(&o.Replicas, "replicas", 0, "The number of stable pods (of the serving color, in blue-green); 0 only when given explicitly.")
	cmd.Flags().BoolVar(&o.AllColors, "all-colors", false, "In a blue-green release, scale both colors, not only the serving one.")
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the release names, the engine, and whether --replicas was
// given.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.replicasSet = cmd.Flags().Changed("replicas")
	return o.ReleasesMutation.Complete(f, cmd, args)
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	switch {
	case !o.replicasSet:
		return fmt.Errorf("--replicas is required: give the number of stable pods")
	case o.Replicas < 0:
		return fmt.Errorf("--replicas must not be negative, not %d", o.Replicas)
	}
	return o.ReleasesMutation.Validate()
}

// Run scales each release.
func (o *Options) Run(ctx context.Context) error {
	return o.RunEach(ctx, strategy.Scale{Request: strategy.ScaleRequest{Replicas: o.Replicas, AllColors: o.AllColors}}, func(name string) string {
		return fmt.Sprintf("the release is resized; run 'kubectl ship scale %s --replicas %d' again to keep waiting for its pods", name, o.Replicas)
	})
}
