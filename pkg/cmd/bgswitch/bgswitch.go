// Package bgswitch implements `kubectl ship bluegreen-switch`.
package bgswitch

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// NewCmdSwitch returns the bluegreen-switch command.
func NewCmdSwitch(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	var to string
	var color release.Color // parsed from --to; empty: the idle color
	var force bool
	var scaleDownDelay time.Duration
	cmd := &cobra.Command{
		Use:   "bluegreen-switch NAME... [--to blue|green]",
		Short: "Point the Services of a blue-green release at the other color, all at once",
		Long: `Switch the Services of release NAME to the color the last 'kubectl ship
bluegreen' brought up (or the one --to names) by changing their selector in
one write each, then wait until their EndpointSlices list only that color's
ready pods, and say how long it took. The color must be fully available
(every desired pod updated and ready); --force switches anyway, and says so,
but never to a color with no pods.

Switching back (--to blue) is the rollback, as long as blue still runs: so
nothing scales the old color down, unless --scale-down-delay asks the command
to stay for that long and then scale it to zero (Ctrl-C before keeps it).
Switching to the color already serving changes nothing and exits 0, so
running the command again after an interruption finishes the switch.`,
		Example: `  kubectl ship bluegreen-switch ctwoc
  kubectl ship bluegreen-switch ctwoc --to blue   # roll back
  kubectl ship bluegreen-switch ctwoc --scale-down-delay 10m`,
	}
	o := cli.BindReleasesVerb(cmd, getter, streams, func(rel *release.Release) (strategy.Plan, error) {
		return strategy.PlanSwitch(rel, color, force)
	}, func(name string) string {
		return "the Services are switched; run 'kubectl ship bluegreen-switch " + name + "' again to keep waiting for the endpoints"
	})
	cmd.Flags().StringVar(&to, "to", "", "The color to switch to: blue or green (default: the one the last bluegreen brought up).")
	cmd.Flags().BoolVar(&force, "force", false, "Switch even when the color is not fully available.")
	cmd.Flags().DurationVar(&scaleDownDelay, "scale-down-delay", 0, "After the switch, wait this long, then scale the color that stopped serving to zero (as 'bluegreen cleanup' does).")
	o.After = func(ctx context.Context, name string) error {
		if scaleDownDelay <= 0 {
			return nil
		}
		fmt.Fprintf(o.ErrOut, "scaling the idle color of %s down in %s; Ctrl-C keeps it running, to switch back\n", name, scaleDownDelay)
		select {
		case <-ctx.Done():
			fmt.Fprintf(o.ErrOut, "interrupted: the idle color of %s keeps running; scale it down later with 'kubectl ship bluegreen cleanup %s'\n", name, name)
			return nil
		case <-time.After(scaleDownDelay):
		}
		return o.ApplyPlan(ctx, name, func(rel *release.Release) (strategy.Plan, error) { return strategy.PlanCleanup(rel, false) })
	}
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions([]string{"blue", "green"}, cobra.ShellCompDirectiveNoFileComp))
	o.ValidateFlags = func() error {
		var err error
		if to != "" {
			color, err = release.ParseColor(to)
		}
		switch {
		case err != nil:
			return fmt.Errorf("--to: %w", err)
		case scaleDownDelay < 0:
			return fmt.Errorf("--scale-down-delay must not be negative")
		}
		return nil
	}
	return cmd
}
