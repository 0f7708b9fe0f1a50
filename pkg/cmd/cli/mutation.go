package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/run"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// MutationFlags are the flags of every verb that changes the cluster.
type MutationFlags struct {
	PrintFlags  *genericclioptions.PrintFlags
	DryRun      string
	Wait        bool
	Timeout     time.Duration
	ForceUnlock bool
	FleetFlags  *FleetFlags
	WaveFlags   WaveFlags
}

// NewMutationFlags returns the defaults: act for real, wait up to five
// minutes for each rollout, print kubectl-style result lines.
func NewMutationFlags() *MutationFlags {
	return &MutationFlags{
		PrintFlags: genericclioptions.NewPrintFlags(""),
		DryRun:     string(ship.DryRunNone),
		Wait:       true,
		Timeout:    5 * time.Minute,
		FleetFlags: NewFleetFlags(),
		WaveFlags:  WaveFlags{OnFailure: "abort"},
	}
}

// AddFlags binds the flags to cmd.
func (f *MutationFlags) AddFlags(cmd *cobra.Command) {
	f.PrintFlags.AddFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&f.DryRun, "dry-run", f.DryRun, `Must be "none", "server", or "client". With client, only print the objects that would change; with server, send every write with dryRun=All so the API server checks it without persisting it.`)
	flags.Lookup("dry-run").NoOptDefVal = string(ship.DryRunClient)
	flags.BoolVar(&f.Wait, "wait", f.Wait, "Wait until the pods are ready before returning.")
	flags.DurationVar(&f.Timeout, "timeout", f.Timeout, "How long to wait for each rollout or switch before giving up (e.g. 90s, 5m); 0 waits forever.")
	flags.BoolVar(&f.ForceUnlock, "force-unlock", false, "Take the release's lock although another operation holds it: only for a lock left by a process that died on another machine, since two operations at once can undo each other's changes.")
	_ = cmd.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{string(ship.DryRunNone), string(ship.DryRunClient), string(ship.DryRunServer)}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(f.PrintFlags.AllowedFormats(), cobra.ShellCompDirectiveNoFileComp))
	f.FleetFlags.AddFlags(cmd)
	f.WaveFlags.AddFlags(cmd)
}

// Fleet says the operation runs across contexts (--wave, --contexts or
// --all-contexts).
func (f *MutationFlags) Fleet() bool { return f.FleetFlags.Enabled() || len(f.WaveFlags.Waves) > 0 }

// Validate checks the flag values before anything is read or written.
func (f *MutationFlags) Validate() error {
	switch ship.DryRun(f.DryRun) {
	case ship.DryRunNone, ship.DryRunClient, ship.DryRunServer:
	default:
		return fmt.Errorf(`--dry-run must be "none", "server" or "client", not %q`, f.DryRun)
	}
	if f.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative")
	}
	if _, err := f.PrintFlags.ToPrinter(); err != nil {
		return err
	}
	if err := f.FleetFlags.Validate(); err != nil {
		return err
	}
	if format := *f.PrintFlags.OutputFormat; f.Fleet() && format != "" && format != "name" {
		return fmt.Errorf("-o %s: across contexts the results print as lines: leave out -o, or use -o name", format)
	}
	return f.WaveFlags.Validate(f.FleetFlags)
}

// Mutation is what every mutating verb's Options embed: the flags, and once
// completed the engine and how one run is told and printed.
type Mutation struct {
	*MutationFlags
	genericiooptions.IOStreams
	Engine *ship.Engine
	// Gates are what the plan's holds check, when the verb has any.
	Gates ship.Gates
	// Rollback, set by a verb that has one, undoes the operation in a
	// cluster of a fleet that failed.
	Rollback run.Rollback
	// Resolve makes the operation from the policy the release carries;
	// Notifier is told of its moments.
	Resolve  ship.Resolver
	Notifier ship.Notifier

	command, connection string
}

// NewMutation returns the defaults of a mutating verb.
func NewMutation(streams genericiooptions.IOStreams) *Mutation {
	return &Mutation{MutationFlags: NewMutationFlags(), IOStreams: streams}
}

// Complete takes the engine from f and the command line, as the release's
// record keeps it, from cmd and args.
func (m *Mutation) Complete(f *Factory, cmd *cobra.Command, args []string) {
	m.Engine = f.Engine()
	m.command = CommandLine(cmd, args)
	m.connection = connectionFlags(cmd)
	m.FleetFlags.Complete(f, cmd)
}

// Inherit takes the command line, as the record keeps it, from the
// command that other completed: a verb made again under a policy is still
// the command the user typed.
func (m *Mutation) Inherit(other *Mutation) {
	m.command, m.connection = other.command, other.connection
}

// Run carries out planner's operation on release t and prints its results;
// when the operation was cut short while waiting, hint says how to go on.
func (m *Mutation) Run(ctx context.Context, t ship.Target, planner plans.Planner, hint string) error {
	if m.Fleet() {
		return m.runFleet(ctx, t, planner)
	}
	if m.ForceUnlock {
		fmt.Fprintf(m.ErrOut, "warning: --force-unlock: taking the lock of release %s even if another operation holds it\n", t.Name)
	}
	options := m.options()
	options.Progress = m.ErrOut
	return run.One(ctx, m.Engine, t, planner, options, m.printer(m.Out, m.ErrOut), hint)
}

// options are the engine's options from the flags, in one cluster or many.
func (m *Mutation) options() ship.Options {
	return run.Options(ship.Options{
		DryRun: ship.DryRun(m.DryRun), Timeout: m.Timeout, Wait: m.Wait, ForceUnlock: m.ForceUnlock, Gates: m.Gates,
		Command: m.command, Resolve: m.Resolve, Notifier: m.Notifier,
	})
}

func (m *Mutation) printer(out, errOut io.Writer) *ResultPrinter {
	return &ResultPrinter{flags: m.PrintFlags, dryRun: ship.DryRun(m.DryRun), out: out, errOut: errOut}
}

// Reporter prints one cluster's changes, in a fleet run, as lines.
func (m *Mutation) Reporter(out, errOut io.Writer) ship.Reporter { return m.printer(out, errOut) }
