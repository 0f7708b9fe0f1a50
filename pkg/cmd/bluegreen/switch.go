package bluegreen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// SwitchOptions holds the flags and state of the bluegreen-switch command.
type SwitchOptions struct {
	To             string
	Force          bool
	ScaleDownDelay time.Duration
	Steps          string
	Interval       time.Duration
	VerifyFor      time.Duration
	GateFlags      *cli.GateFlags
	Route          string
	// Policy is --policy and --notify, and the policies read from the
	// cluster beneath them: those of strategy blueGreen.
	Policy cli.Following
	cli.ReleasesMutation

	planner strategy.Switch
}

// NewSwitchOptions returns the bluegreen-switch command's defaults.
func NewSwitchOptions(streams genericiooptions.IOStreams) *SwitchOptions {
	return &SwitchOptions{ReleasesMutation: cli.NewReleasesMutation(streams), GateFlags: cli.NewGateFlags(), Interval: time.Minute}
}

// switchLong is the bluegreen-switch command's help: what it changes, at
// the Services or through a route, how it rolls back and resumes.
const switchLong = `Switch the Services of release NAME to the color the last 'kubectl ship
bluegreen' brought up (or the one --to names) by changing their selector in
one write each, then wait until their EndpointSlices list only that color's
ready pods, and say how long it took. The color must be fully available
(every desired pod updated and ready); --force switches anyway, and says so,
but never to a color with no pods.

Switching back (--to blue) is the rollback, as long as blue still runs: so
nothing scales the old color down, unless --scale-down-delay asks the command
to stay for that long and then scale it to zero. Ctrl-C during the delay, or
any other kubectl ship command on the release, keeps it running.
Switching to the color already serving changes nothing and exits 0, so
running the command again after an interruption finishes the switch.

Through an HTTPRoute (the one of the namespace that sends traffic to the
Services, or --route httproute/NAME) the route switches instead: its rules
that send traffic to the Service send it all (weight 100, and 0 to blue) to
a Service NAME-green that ship makes, selecting only green's pods, once it
has ready endpoints. The Service keeps selecting blue, for the clients inside
the cluster. --to blue puts the route back exactly and deletes NAME-green;
'kubectl ship bluegreen cleanup NAME --delete' ends the release on blue.
With --steps (e.g. 10,50) green first takes each of these shares of the
route's traffic in turn, each held for --interval while the gates are
checked, then all of it.

--verify-for holds the switch that long while the gates are checked (the
built-in pod health, and --analysis and --webhook). A failure, at any step,
switches back to the color that served before (exit 4). The release's record
keeps the step reached: after Ctrl-C or a lost connection, the same command
resumes there, its hold starting over.

A release policy of strategy blueGreen gives the flags not typed their
values, as for canary: --policy FILE, over the Deployment's annotation
kubectl-ship.dev/policy, over the namespace default it names; its steps
are green's shares, and its notify where notifications go. A policy of
strategy canary (the default) is not followed here: the flags alone are.

`

// switchExample shows a switch, its rollback, a delayed scale-down, a verified
// switch and steps through a route.
const switchExample = `  kubectl ship bluegreen-switch ctwoc
  kubectl ship bluegreen-switch ctwoc --to blue   # roll back
  kubectl ship bluegreen-switch ctwoc --scale-down-delay 10m
  kubectl ship bluegreen-switch ctwoc --verify-for 5m --analysis 'sum(rate(http_errors_total{app="ctwoc"}[1m])) < 1' --prometheus http://127.0.0.1:9090
  kubectl ship bluegreen-switch ctwoc --steps 10,50 --interval 2m   # through an HTTPRoute`

// NewCmdSwitch returns the bluegreen-switch command.
func NewCmdSwitch(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdSwitch(f, NewSwitchOptions(streams))
}

func newCmdSwitch(f *cli.Factory, o *SwitchOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "bluegreen-switch NAME... [--to blue|green]",
		Short:             "Point the Services of a blue-green release at the other color, all at once",
		Long:              switchLong + cli.FleetWriteHelp,
		Example:           switchExample,
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	cmd.Flags().StringVar(&o.To, "to", "", "The color to switch to: blue or green (default: the one the last bluegreen brought up).")
	cmd.Flags().BoolVar(&o.Force, "force", false, "Switch even when the color is not fully available.")
	cmd.Flags().DurationVar(&o.ScaleDownDelay, "scale-down-delay", 0, "After the switch, stay this long, then scale the color that stopped serving to zero (as 'bluegreen cleanup' does).")
	cmd.Flags().DurationVar(&o.VerifyFor, "verify-for", 0, "After the switch, check the gates for this long; a failure switches back to the color that served before (exit 4).")
	cmd.Flags().StringVar(&o.Steps, "steps", "", "Through an HTTPRoute, shift green these shares of the traffic first (e.g. 10,50), each held for --interval while the gates are checked, then all of it.")
	cmd.Flags().DurationVar(&o.Interval, "interval", o.Interval, "With --steps, how long each step holds.")
	cmd.Flags().StringVar(&o.Route, "route", "", "The HTTPRoute to switch: httproute/NAME or httproute/NAMESPACE/NAME, or none to switch the Services' selectors (default: the HTTPRoute of the namespace that sends traffic to the Services, if there is one).")
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions([]string{"blue", "green"}, cobra.ShellCompDirectiveNoFileComp))
	o.GateFlags.AddFlags(cmd)
	o.Policy.AddFlags(cmd)
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the arguments and which flags were set.
func (o *SwitchOptions) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	if cmd.Flags().Changed("steps") && strings.TrimSpace(o.Steps) == "" {
		return fmt.Errorf("--steps is empty: list green's shares, e.g. --steps 10,50")
	}
	if !cmd.Flags().Changed("steps") && cmd.Flags().Changed("interval") {
		return fmt.Errorf("--interval needs --steps: it is how long each step holds")
	}
	ignored, err := o.Policy.Complete(f, cmd, args, policy.BlueGreen)
	if err != nil {
		return err
	}
	if ignored != "" {
		fmt.Fprintf(o.ErrOut, "note: the release policy of %s is for canaries: bluegreen-switch follows its flags alone\n", ignored)
	}
	return o.ReleasesMutation.Complete(f, cmd, args)
}

// Validate checks the flags and builds the planner; it makes no request.
func (o *SwitchOptions) Validate() error {
	o.planner = strategy.Switch{Force: o.Force, VerifyFor: o.VerifyFor, ScaleDownDelay: o.ScaleDownDelay}
	if err := o.validateSteps(); err != nil {
		return err
	}
	if o.To != "" {
		color, err := release.ParseColor(o.To)
		if err != nil {
			return fmt.Errorf("--to: %w", err)
		}
		o.planner.To = color
	}
	if o.ScaleDownDelay < 0 {
		return fmt.Errorf("--scale-down-delay must not be negative")
	}
	if o.Route != "" {
		choice, err := route.ParseChoice(o.Route)
		if err != nil {
			return fmt.Errorf("--route: %w", err)
		}
		if choice.Ref != nil && choice.Ref.Kind != release.KindHTTPRoute {
			return fmt.Errorf("--route: a blue-green release switches through an HTTPRoute, not an %s: use httproute/NAME, or none", choice.Ref.Kind)
		}
		o.planner.Route = choice
	}
	return o.ReleasesMutation.Validate()
}

// validateSteps checks --steps, --interval and the gates' flags: the gates
// are checked while a step or the verification holds.
func (o *SwitchOptions) validateSteps() error {
	var err error
	if o.Steps == "" {
		o.Gates, err = o.GateFlags.Verify(o.VerifyFor)
		return err
	}
	switch {
	case o.To == string(release.Blue):
		return fmt.Errorf("--steps shifts traffic to green: switch back to blue at once, without --steps")
	case o.Route == "none":
		return fmt.Errorf("--steps shifts an HTTPRoute's traffic: through the Services' selectors (--route none) a switch is all at once")
	case o.ScaleDownDelay > 0:
		return fmt.Errorf("--scale-down-delay: through an HTTPRoute the Services keep selecting blue: end the release with 'kubectl ship bluegreen cleanup NAME --delete' instead")
	case o.VerifyFor < 0:
		return fmt.Errorf("--verify-for must not be negative")
	}
	steps, err := strategy.ParseSteps(o.Steps)
	if err != nil {
		return fmt.Errorf("--steps: %w", err)
	}
	for _, st := range steps {
		if st.Pause {
			return fmt.Errorf("--steps: a switch does not pause: give green's shares only, e.g. 10,50")
		}
		o.planner.Steps = append(o.planner.Steps, st.Weight)
	}
	o.planner.Interval = o.Interval
	if o.VerifyFor > 0 {
		if _, err := o.GateFlags.Gates(o.VerifyFor, "--verify-for"); err != nil {
			return err
		}
	}
	o.Gates, err = o.GateFlags.Gates(o.Interval, "--interval")
	return err
}

// Run switches each release, following the policy its Deployment carries;
// a policy with waves runs across them.
func (o *SwitchOptions) Run(ctx context.Context) error {
	hint := func(name string) string {
		return "the Services are switched; run 'kubectl ship bluegreen-switch " + name + "' again to keep waiting for the endpoints"
	}
	return cli.RunFollowing(o, func(v cli.PolicyOptions) error {
		w := v.(*SwitchOptions)
		return w.RunEach(ctx, w.planner, hint)
	})
}
