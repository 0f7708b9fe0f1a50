// Package promote implements `kubectl ship promote`.
package promote

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the promote command.
type Options struct {
	cli.ReleasesMutation
}

// NewOptions returns the promote command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{ReleasesMutation: cli.NewReleasesMutation(streams)}
}

// NewCmdPromote returns the promote command.
func NewCmdPromote(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "promote NAME... | -l SELECTOR",
		Short: "Make the canary's pod template the stable one, then remove the canary",
		Long: `Promote the canary of each release: roll the stable Deployment NAME to the
canary's pod template (its images and everything else the canary changed),
wait for that rollout as 'kubectl rollout status' does, then delete NAME-canary
and restore the Service's session affinity. The canary keeps serving until
every stable pod is updated, so the Service never runs out of ready pods.

Interrupted at any point, running promote again continues where it stopped;
run again once done, it says the release is already promoted and exits 0.
With no canary otherwise there is nothing to promote: exit 1. A paused
stable Deployment is refused: resume it first. With several releases
the others are still promoted when one fails; the exit status is then 1.

` + cli.FleetWriteHelp,
		Example: `  kubectl ship promote ctwoc
  kubectl ship promote -l tier=frontend --timeout 10m
  kubectl ship promote ctwoc --wave staging --wave 'prod-*'`,
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.AddFlags(cmd)
	return cmd
}

// Run promotes each release.
func (o *Options) Run(ctx context.Context) error {
	return o.RunEach(ctx, strategy.Promote{}, func(name string) string { return "run 'kubectl ship promote " + name + "' again to finish" })
}
