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
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

const example = `  # Send 25% of the pods' traffic to 2.0.0: one canary pod beside three stable ones
  kubectl ship canary ctwoc --image ctwoc=example/ctwoc:2.0.0 --weight 25

  # Keep each client IP on the version it first reached
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --replicas 1 --sticky

  # Grow the running canary to half the pods
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 50

  # Exactly 5% of the traffic of the HTTPRoute that sends traffic to Service ctwoc
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 5

  # Only the testers' requests: a dark launch behind a header
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 0 --header X-Canary=always

  # 10% through ingress-nginx: a canary Ingress beside Ingress ctwoc
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 10 --route ingress/ctwoc

  # Across clusters: staging, then two regions, then Europe, each wave healthy for 10m
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --weight 25 \
    --wave staging --wave prod-us-east,prod-us-west --wave 'prod-eu-*' --soak 10m

  # The whole release policy the Deployment carries: steps, gates, waves, notifications
  kubectl ship canary ctwoc --image example/ctwoc:2.0.0`

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
		Use:   "canary NAME --image [CONTAINER=]IMAGE [--weight PERCENT | --replicas N]",
		Short: "Run a new image beside a Deployment, taking a share of its Service's traffic",
		Long: `Start or resize the canary of release NAME: a Deployment NAME-canary with the
stable pod template and the new image(s), behind the same Service. The Service
spreads connections over the ready pods, so the canary's share of traffic is
its share of the pods: 1 canary pod beside 3 stable ones gets 25%. The stable
Deployment is not changed.

Through a route the weight is exact and independent of the pods: an HTTPRoute
of the namespace that sends traffic to the Service (found, or named with
--route httproute/NAME) gets its rules split by weight between a Service
NAME-canary, selecting only the canary's pods, and the stable pods (through
NAME-stable when the Service selects both); --header and --cookie add rules,
before the route's own, that send matching requests to the canary. With
--route ingress/NAME, ingress-nginx gets a canary Ingress NAME-canary beside
the user's, which is never changed. ship makes these Services and Ingress,
waits until they have ready endpoints before the route sends them traffic,
and removes them at promote or abort, which put the route back exactly.

When NAME is a StatefulSet (no Deployment has that name), its canary is its
--replicas (or --weight's share of its) highest ordinals: in one patch the
template gets the new image(s) and updateStrategy.rollingUpdate.partition
drops to replicas minus the canary's pods, and the StatefulSet records what
the patch changed, for 'kubectl ship promote' (the partition back to the
user's) and 'kubectl ship abort' (the template and partition back, a canary
pod that is not Ready deleted when OrderedReady would block the rollback).
A partition the user set is honoured; OnDelete and routes are refused. With
--steps the partition moves step by step; each hold's built-in gates judge
the pods of the update revision (the canary) against the others, by owner
and controller-revision-hash, and the canary's share of the ready pods.

When NAME is a DaemonSet (no Deployment or StatefulSet has that name), its
canary runs on --nodes N (or P% of its nodes, rounded up), the first by
name among the nodes that run its pods (and that --node-selector matches):
in one patch the template gets the new image(s) and the update strategy
becomes OnDelete, recording the user's template, strategy and the nodes;
then ship deletes the chosen nodes' pods, at most maxUnavailable at a time
and each batch once every node runs a ready pod, and the controller makes
them again from the new template. The other nodes' pods are never touched.
'kubectl ship promote' puts the user's strategy back (the controller rolls
the other nodes; under OnDelete ship does, by batches), 'kubectl ship abort'
the template, the chosen nodes' old pods and the strategy. With --steps the
canary grows node by node: each step is a number of nodes (2) or a
percentage of them (50%, rounded up, one node at least and never all), as
--nodes reads; each hold's built-in gate judges the canary's pods (on its
nodes, off the stable revision) against the others, by owner and
controller-revision-hash, and a failure rolls back as abort does.

Without a route, the weight that replica counts can reach is printed before anything changes.
Re-running with another --weight or --replicas resizes the canary; with the
same arguments it changes nothing. A canary on another image is only rolled
to the new one with --replace. --sticky sets the Service's sessionAffinity to
ClientIP until the canary is promoted or aborted, which restore it.

With --steps the canary advances by itself through the weights given (e.g.
10,25,50, "pause" where a person approves), each held for --interval while
its gates are checked every --check-every: the built-in health of its pods
and the stable ones, --analysis queries against --prometheus, --webhook
URLs. Then it is promoted (not with --no-promote). Across clusters, --wave
with --soak checks --analysis and --webhook in every cluster of a wave while
it soaks, with or without --steps. A failure past
--failure-limit aborts it, exactly as 'kubectl ship abort' does, and exits 4.
Interrupted, the same command resumes at the step recorded in the release's
record; 'kubectl ship abort' from another shell stops it. At a pause the
command waits for 'kubectl ship approve NAME' (it goes on) or 'kubectl ship
reject NAME' (it rolls back), recorded with who gave the verdict and why;
with --wait=false it records the pause and returns, and approve carries the
progression on.

A release policy gives the flags not typed their values, field by field:
--policy FILE, over the ReleasePolicy the Deployment carries in its
annotation kubectl-ship.dev/policy, over the namespace default its
annotation kubectl-ship.dev/policy-defaults names (a ConfigMap). So
'kubectl ship canary NAME --image IMAGE' runs the whole policy: steps, gates,
waves, notifications (--notify adds receivers). 'kubectl ship policy NAME'
shows it, and where each value comes from. --weight or --replicas typed
make a one-off canary (the policy's steps do not apply); --context typed
runs in that cluster alone (its waves do not apply).

Exit status is 0 once the canary pods are ready (or at once with --wait=false)
or the progression ended, 4 when its gates rolled it back, and 1 on any
other error; on a bad argument nothing in the cluster is changed.

` + cli.FleetWriteHelp,
		Example:           example,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
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
	flags.StringVar(&o.Steps, "steps", "", `Advance the canary by itself through these weights (e.g. 10,25,50, with "pause" where a person approves), holding each for --interval while the gates are checked, then promote. For a DaemonSet, numbers of nodes or percentages of them (e.g. 1,50%).`)
	flags.DurationVar(&o.Interval, "interval", o.Interval, "With --steps, how long each step holds.")
	flags.BoolVar(&o.NoPromote, "no-promote", false, "With --steps, stay at the last step instead of promoting; 'kubectl ship promote' finishes.")
	o.GateFlags.AddFlags(cmd)
	o.Policy.AddFlags(cmd)
	o.AddFlags(cmd)
	return cmd
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
	o.Rollback = cli.Rollback{Planner: strategy.Abort{}, Command: "kubectl ship abort " + o.target.Name}
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
