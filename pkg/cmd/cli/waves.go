package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/run"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// FleetWriteHelp ends the help of the verbs that change a release.
const FleetWriteHelp = `Across clusters: --wave (repeatable; kubeconfig contexts by name or
shell-style glob) runs the waves in order and the clusters of a wave at
once; after each wave every cluster must stay healthy for --soak by the
built-in pod gate, checked every 2s (no pod not Ready past 30s, none
restarting, crash-looping or failing to pull; no rollout past its progress
deadline; a StatefulSet's update revision and a DaemonSet's canary nodes
judged against its other pods), or as --check-every and --ready-grace say when --steps or
--verify-for set them, with --analysis and --webhook checked beside it. The
first cluster that fails stops the fleet: later waves are not touched, the others of its
wave are left as they are, and it is rolled back when the verb has a
rollback (canary: abort) unless --on-failure stop. --contexts or
--all-contexts is one wave. Every cluster must answer before the first write.
Lines are prefixed with their context; a table of every cluster's state ends
the output, with the command that continues (the same one: clusters done
answer "already done") or rolls the rest back. Exit status 0 when every
cluster finished, 1 when one failed, 5 when one could not be reached.`

// WaveFlags are the flags of a write across clusters.
type WaveFlags struct {
	Waves     []string
	Soak      time.Duration
	OnFailure string
}

// AddFlags binds --wave, --soak and --on-failure to cmd.
func (w *WaveFlags) AddFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringArrayVar(&w.Waves, "wave", nil, "A wave of kubeconfig contexts (comma-separated names or globs); repeat for the next waves, which run in order.")
	flags.DurationVar(&w.Soak, "soak", 0, "After each wave, how long each of its clusters must stay healthy before the next wave (e.g. 10m).")
	flags.StringVar(&w.OnFailure, "on-failure", string(fleet.Abort), `What to do with the cluster that fails: "abort" rolls it back (only it), "stop" leaves it as it is.`)
	_ = cmd.RegisterFlagCompletionFunc("on-failure", cobra.FixedCompletions([]string{string(fleet.Abort), string(fleet.Stop)}, cobra.ShellCompDirectiveNoFileComp))
}

// Validate checks the wave flags beside the fleet's; no request.
func (w *WaveFlags) Validate(f *FleetFlags) error {
	switch {
	case len(w.Waves) > 0 && f.Enabled():
		return fmt.Errorf("give --wave or --contexts/--all-contexts, not both: the waves name their contexts")
	case len(w.Waves) > 0 && f.contextSet:
		return fmt.Errorf("--context names one cluster: give --context or --wave, not both")
	case w.Soak < 0:
		return fmt.Errorf("--soak must not be negative, not %s", w.Soak)
	case w.Soak > 0 && len(w.Waves) == 0:
		return fmt.Errorf("--soak needs --wave: the soak follows each wave")
	case w.OnFailure != string(fleet.Abort) && w.OnFailure != string(fleet.Stop):
		return fmt.Errorf(`--on-failure must be "abort" or "stop", not %q`, w.OnFailure)
	}
	for i, list := range w.Waves {
		if strings.Trim(list, ", \t") == "" {
			return fmt.Errorf("--wave %d is empty: give it context names or globs", i+1)
		}
	}
	return nil
}

// runFleet carries planner's operation on release t through the waves and
// prints the report.
func (m *Mutation) runFleet(ctx context.Context, t ship.Target, planner plans.Planner) error {
	report, err := run.Fleet{
		Waves: m.WaveFlags.Waves, Select: m.FleetFlags.Select,
		Soak: m.WaveFlags.Soak, OnFailure: fleet.OnFailure(m.WaveFlags.OnFailure), Parallel: m.FleetFlags.Parallel,
		Out: m.Out, ErrOut: m.ErrOut, Reporters: m,
		Command: m.command, Connection: m.connection, Rollback: m.Rollback,
	}.Run(ctx, m.Engine, t, planner, m.options())
	if report == nil {
		return err
	}
	fmt.Fprintln(m.Out)
	if printErr := report.Print(m.Out); err == nil {
		return printErr
	}
	return &ExitError{Code: report.ExitCode(), Err: err}
}

// connectionFlags are the connection flags a command printed for the user
// to run needs beside its own: the kubeconfig and the namespace, never
// credentials.
func connectionFlags(cmd *cobra.Command) string {
	var out string
	for _, name := range []string{"kubeconfig", "namespace"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			out += " --" + name + " " + quote(f.Value.String())
		}
	}
	return out
}
