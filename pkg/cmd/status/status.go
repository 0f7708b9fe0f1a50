// Package status implements `kubectl ship status`.
package status

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Exit codes of status, documented in its help and the README.
const (
	exitDegraded = 1
	exitTimedOut = 2
	exitNotFound = 3
	// With --until, the release ended the other way: rolled back while
	// waiting for promoted or switched (as the verbs exit when their gates
	// roll back), promoted while waiting for rolled-back.
	exitRolledBack = 4
	exitPromoted   = 5
	// exitAmbiguous: several Deployments made by hand could each be the
	// canary or green.
	exitAmbiguous = 6
)

// untilNames lists the states of untilStates, for help and errors.
const untilNames = "healthy, canary-ready, switched, paused, approved, promoted, rolled-back"

// untilStates are the states --until waits for.
var untilStates = map[string]func(*release.Status) bool{
	"healthy": func(st *release.Status) bool { return st.Phase == release.PhaseHealthy },
	// A Deployment paused with kubectl rollout pause, or a progression
	// stopped at its pause step.
	"paused": func(st *release.Status) bool {
		return st.Phase == release.PhasePaused || st.Progression != nil && st.Progression.Phase == release.ProgressionPaused
	},
	// approved: the last verdict on a pause approved it, and no other
	// pause awaits one since.
	"approved": func(st *release.Status) bool {
		p := st.Progression
		return p != nil && len(p.Approvals) > 0 && p.Approvals[len(p.Approvals)-1].Verdict == release.VerdictApproved && !p.Awaiting()
	},
	"promoted":    func(st *release.Status) bool { return st.Outcome() == release.ProgressionPromoted },
	"rolled-back": func(st *release.Status) bool { return st.Outcome() == release.ProgressionRolledBack },
	"canary-ready": func(st *release.Status) bool {
		return st.Strategy == release.StrategyCanary && st.Phase == release.PhaseHealthy
	},
	"switched": func(st *release.Status) bool {
		if st.Strategy != release.StrategyBlueGreen || st.Phase != release.PhaseHealthy {
			return false
		}
		for _, d := range st.Deployments {
			for _, s := range st.Services {
				if d.Serving != nil && *d.Serving && s.Traffic[d.Role] != 100 {
					return false
				}
			}
		}
		return true
	},
}

// Options holds the flags and state of the status command.
type Options struct {
	Service string
	// Choice is --canary or --green.
	Choice  cli.Choice
	Watch   bool
	Until   string
	Timeout time.Duration
	Output  *cli.OutputFlags
	Fleet   *cli.FleetFlags

	target ship.Target
	engine *ship.Engine
	genericiooptions.IOStreams
}

// NewOptions returns the status command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Output: cli.NewOutputFlags(), Fleet: cli.NewFleetFlags(), IOStreams: streams}
}

// NewCmdStatus returns the status command.
func NewCmdStatus(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "Show what runs in a release and where its traffic really goes",
		Long: `Show release NAME: the strategy in progress (none, canary, blue-green), each
Deployment with its role, images (init containers and sidecars too), replicas
and revision, and each Service with its selector, session affinity and the
actual share of traffic of each role, counted from the ready endpoints of its
EndpointSlices. Each endpoint counts for the Deployment that owns its pod;
pods of no Deployment of the release count as other, with their owners. Six
requests, however many pods. A canary or green made by hand (as in the
walkthrough's manifests) shows with its role, marked made by hand until
'kubectl ship adopt' takes it over; --canary or --green names it when
several Deployments could be it. A StatefulSet's release shows its partition,
its current and update revisions, and the pods, images and share of the ready
pods of each role (four requests); a DaemonSet's, its update strategy, the
canary's nodes and each node's pod, role (canary or stable), revision and
images (five requests). A canary progressing by itself (canary --steps)
shows its step, the time held and left, and each gate's last check.

--watch keeps it current from watch events and prints it again only when it
changes; --until waits for a state: healthy, canary-ready, switched, paused,
approved (a pause of a progression approved with 'kubectl ship approve'),
promoted or rolled-back (the end of a progression, for CI pipelines).

Exit status, for CI: 0 settled and healthy, or the --until state reached
(at once when it already is); 1 degraded (a rollout exceeded its progress
deadline, or a route sends the release's traffic nowhere: to a Service that
does not exist, has no ready endpoint or is not permitted, or the route it
runs through is gone); 2 timed out (--timeout); 3 no such release (no
Deployment or StatefulSet of that name, or no Service routes to it); with --until, at once,
4 when the release was rolled back (waiting for promoted, switched or
approved) and 5 when it was promoted (waiting for rolled-back): it will not
get there by itself; 6 ambiguous (several Deployments made by hand could each be its
canary or green: name one with --canary or --green).
The commands that change a release exit 4 when its gates failed and rolled
it back.

` + cli.FleetReadHelp,
		Example: `  kubectl ship status ctwoc
  kubectl ship status ctwoc -o jsonpath='{.services[0].traffic.canary}'
  kubectl ship status ctwoc --until switched --timeout 2m
  kubectl ship status ctwoc --all-contexts`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.Output.AddFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&o.Service, "service", "", "Show only this Service, when several route to the release.")
	o.Choice.AddFlags(cmd)
	flags.BoolVarP(&o.Watch, "watch", "w", false, "Keep the view current until interrupted (or until --until is reached).")
	flags.StringVar(&o.Until, "until", "", "Wait for a state: "+untilNames+".")
	flags.DurationVar(&o.Timeout, "timeout", 0, "With --watch or --until, give up after this long (exit 2); 0 waits forever.")
	o.Fleet.AddFlags(cmd)
	_ = cmd.RegisterFlagCompletionFunc("until", cobra.FixedCompletions(strings.Split(untilNames, ", "), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete reads the release's name and the engine.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.target = ship.Target{Name: args[0], Service: o.Service, Canary: o.Choice.Canary, Green: o.Choice.Green}
	o.engine = f.Engine()
	o.Fleet.Complete(f, cmd)
	return nil
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	if _, ok := untilStates[o.Until]; o.Until != "" && !ok {
		return fmt.Errorf("--until must be one of %s, not %q", untilNames, o.Until)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, not %s", o.Timeout)
	}
	if err := o.Fleet.Validate(); err != nil {
		return err
	}
	if o.Fleet.Enabled() && (o.Watch || o.Until != "") {
		return fmt.Errorf("--watch and --until follow one cluster: give --context instead of --contexts/--all-contexts")
	}
	if err := o.Choice.Validate(o.target.Name); err != nil {
		return err
	}
	return o.Output.Validate()
}

// Run shows the status once, or follows it with --watch or --until.
func (o *Options) Run(ctx context.Context) error {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if o.Fleet.Enabled() {
		return o.runFleet(ctx)
	}
	view := &statusView{o: o}
	st, err := view.show(ctx)
	if err != nil {
		return err
	}
	if !o.Watch && o.Until == "" {
		return verdict(st)
	}
	return o.follow(ctx, view, st)
}

// verdict is exit 1 for a degraded release.
func verdict(st *release.Status) error {
	if st.Phase != release.PhaseDegraded {
		return nil
	}
	return &cli.ExitError{Code: exitDegraded, Err: fmt.Errorf("release %s is degraded: %s", st.Name, strings.Join(st.Warnings, "; "))}
}
