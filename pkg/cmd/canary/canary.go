// Package canary implements `kubectl ship canary`.
package canary

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/run"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the canary command.
type Options struct {
	Images   []string
	Weight   int32
	Replicas int32
	Service  string
	// Nodes and NodeSelector choose a DaemonSet's canary nodes.
	Nodes        string
	NodeSelector string
	Replace      bool
	Exact        bool
	Sticky       stickyValue
	// The progression: --steps and how it advances.
	Steps     string
	Interval  time.Duration
	NoPromote bool
	GateFlags *cli.GateFlags
	// Through a route: the weight's total, the route, header and cookie.
	WeightTotal int32
	Route       string
	Header      string
	Cookie      string

	// Policy is --policy and --notify, and the policies read from the
	// cluster beneath them.
	Policy cli.Following

	*cli.Mutation
	target    ship.Target
	weightSet bool
	totalSet  bool
	planner   strategy.Canary
	// cmd is the command as typed, for the progression's record.
	cmd *cobra.Command
}

// NewOptions returns the canary command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Mutation: cli.NewMutation(streams), GateFlags: cli.NewGateFlags(), Interval: time.Minute}
}

// NewCmdCanary returns the canary command.
func NewCmdCanary(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmd(f, NewOptions(streams))
}

func newCmd(f *cli.Factory, o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "canary NAME --image [CONTAINER=]IMAGE [--weight PERCENT | --replicas N]",
		Short:             "Run a new image beside a Deployment, taking a share of its Service's traffic",
		Long:              long + cli.FleetWriteHelp,
		Example:           example,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.addTrafficFlags(cmd)
	o.addProgressionFlags(cmd)
	o.Policy.AddFlags(cmd)
	o.AddFlags(cmd)
	return cmd
}

// addTrafficFlags binds the flags that say what the canary runs and which
// share of the traffic it takes.
func (o *Options) addTrafficFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringArrayVar(&o.Images, "image", nil, "New image as [CONTAINER=]IMAGE; repeat for several containers.")
	flags.Int32Var(&o.Weight, "weight", 0, "The canary's share of the traffic: through a route, exactly, from 0 to 100 (or --weight-total); without one, its share of the pods (1-99), the canary sized beside the stable replicas.")
	flags.Int32Var(&o.WeightTotal, "weight-total", 0, "What --weight is out of, through a route, for finer steps (default 100; at most 1000000).")
	flags.StringVar(&o.Route, "route", "", "The router that gives the canary its share: httproute/NAME, httproute/NAMESPACE/NAME, ingress/NAME (ingress-nginx), or none for the share of the pods (default: the HTTPRoute of the namespace that sends traffic to the Service, if there is one).")
	flags.StringVar(&o.Header, "header", "", "Send the requests with this header to the canary, whatever the weight: NAME=VALUE (exact) or NAME~REGEX (through a route only).")
	flags.StringVar(&o.Cookie, "cookie", "", "Send the requests whose cookie NAME is 'always' to the canary, whatever the weight (through a route only).")
	flags.Int32Var(&o.Replicas, "replicas", 0, "Number of canary pods: without a route instead of --weight (default 1); through a route beside it (default: enough for its share of the stable's).")
	flags.StringVar(&o.Nodes, "nodes", "", "For a DaemonSet, how many of its nodes run the canary: N, or P% of them (default 1, or all that --node-selector matches).")
	flags.StringVar(&o.NodeSelector, "node-selector", "", "For a DaemonSet, run the canary on the nodes this label selector matches (e.g. zone=a), or --nodes of them.")
	flags.StringVar(&o.Service, "service", "", "The Service that routes to the release, when several select its pods.")
	flags.Var(&o.Sticky, "sticky", "Pin each client IP to the pods it first reached (Service sessionAffinity ClientIP), optionally for SECONDS.")
	flags.Lookup("sticky").NoOptDefVal = stickyDefault
	flags.BoolVar(&o.Replace, "replace", false, "Roll an existing canary to the new image(s).")
	flags.BoolVar(&o.Exact, "exact", false, "Refuse when the replica counts cannot reach --weight within one percentage point (without it, five).")
}

// addProgressionFlags binds --steps, how the steps advance, and their gates.
func (o *Options) addProgressionFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringVar(&o.Steps, "steps", "", `Advance the canary by itself through these weights (e.g. 10,25,50, with "pause" where a person approves), holding each for --interval while the gates are checked, then promote. For a DaemonSet, numbers of nodes or percentages of them (e.g. 1,50%).`)
	flags.DurationVar(&o.Interval, "interval", o.Interval, "With --steps, how long each step holds.")
	flags.BoolVar(&o.NoPromote, "no-promote", false, "With --steps, stay at the last step instead of promoting; 'kubectl ship promote' finishes.")
	o.GateFlags.AddFlags(cmd)
}

// Complete reads the arguments, which flags were set, and the policy of
// --policy, which gives the flags not typed their values.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.Mutation.Complete(f, cmd, args)
	o.cmd = cmd
	o.target = ship.Target{Name: args[0], Service: o.Service}
	if _, err := o.Policy.Complete(f, cmd, args, policy.Canary); err != nil {
		return err
	}
	// Across clusters, one that fails loses its canary.
	o.Rollback = run.Rollback{Planner: strategy.Abort{}, Command: "kubectl ship abort " + o.target.Name}
	if o.Service != "" {
		o.Rollback.Command += " --service " + o.Service
	}
	o.weightSet, o.totalSet = cmd.Flags().Changed("weight"), cmd.Flags().Changed("weight-total")
	switch {
	case cmd.Flags().Changed("steps") && strings.TrimSpace(o.Steps) == "":
		return fmt.Errorf("--steps is empty: list the weights, e.g. --steps 10,25,50")
	case o.Steps != "" && (o.weightSet || cmd.Flags().Changed("replicas")):
		return fmt.Errorf("give --steps or --weight (--replicas), not both: --steps sets the weights")
	case (cmd.Flags().Changed("nodes") || o.NodeSelector != "") && (o.weightSet || cmd.Flags().Changed("replicas")):
		return fmt.Errorf("give --nodes (--node-selector) or --weight (--replicas), not both: a DaemonSet's canary is chosen by node, any other's by its share of the pods")
	case o.Steps == "" && (cmd.Flags().Changed("interval") || o.NoPromote):
		return fmt.Errorf("--interval and --no-promote need --steps: they shape its steps")
	case o.Steps == "" && (cmd.Flags().Changed("analysis") || cmd.Flags().Changed("webhook")) && o.WaveFlags.Soak == 0:
		return fmt.Errorf("--analysis and --webhook need --steps, or --wave with --soak: the gates are checked while a step holds or a wave soaks")
	}
	if cmd.Flags().Changed("replicas") && o.Replicas < 1 {
		return fmt.Errorf("--replicas must be at least 1, not %d: to remove the canary run 'kubectl ship abort %s'", o.Replicas, o.target.Name)
	}
	return nil
}

// Validate checks the flags and builds the request; it makes no request.
func (o *Options) Validate() error {
	req, err := o.routeRequest()
	if err != nil {
		return err
	}
	if req.Images, err = strategy.ParseImages(o.Images); err != nil {
		return fmt.Errorf("--image: %w", err)
	}
	if o.Nodes != "" {
		if req.Nodes, err = strategy.ParseNodes(o.Nodes); err != nil {
			return fmt.Errorf("--nodes: %w", err)
		}
	}
	if req.Nodes.Selector = o.NodeSelector; o.NodeSelector != "" {
		if _, err := labels.Parse(o.NodeSelector); err != nil {
			return fmt.Errorf("--node-selector: %w", err)
		}
	}
	req.Sticky, req.StickySeconds = o.Sticky.enabled, o.Sticky.seconds
	req.Replace, req.Exact = o.Replace, o.Exact
	o.planner = strategy.Canary{Request: req}
	if o.Steps != "" {
		steps, err := strategy.ParseSteps(o.Steps)
		if err != nil {
			return fmt.Errorf("--steps: %w", err)
		}
		if o.Gates, err = o.GateFlags.Gates(o.Interval, "--interval"); err != nil {
			return err
		}
		o.planner.Progression = &strategy.Progression{Steps: steps, Interval: o.Interval, NoPromote: o.NoPromote, Resume: o.resume()}
	} else if o.GateFlags.Set() && o.WaveFlags.Soak > 0 {
		// Checked while each wave soaks, in every cluster of it.
		if o.Gates, err = o.GateFlags.Gates(o.WaveFlags.Soak, "--soak"); err != nil {
			return err
		}
	}
	return o.MutationFlags.Validate()
}

// Run plans the canary from the cluster's current state and carries it
// out, following the policy the Deployment carries; a policy with waves
// runs across them.
func (o *Options) Run(ctx context.Context) error {
	hint := "the canary is in place; run the same command again to keep waiting, or 'kubectl ship abort " + o.target.Name + "' to remove it"
	return cli.RunFollowing(o, func(v cli.PolicyOptions) error {
		w := v.(*Options)
		return w.Mutation.Run(ctx, w.target, w.planner, hint)
	})
}
