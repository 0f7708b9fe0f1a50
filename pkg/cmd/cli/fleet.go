package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// FleetReadHelp ends the help of the verbs that read, across contexts.
const FleetReadHelp = `Across clusters: --contexts (names or shell-style globs of kubeconfig
contexts, in the order given) or --all-contexts reads every cluster at once
(--parallel at a time, each within --request-timeout, 30s if unset) into one
view with a CONTEXT column; -o json|yaml is one list with each item's
context. A cluster that cannot be reached or refuses is a row with its
error. Exit status across clusters: ` + fleet.ExitCodes

// FleetFlags choose the clusters a verb reaches: the kubeconfig contexts
// named or matched by --contexts, or all of them. --context keeps kubectl's
// meaning, one cluster, and goes with neither.
type FleetFlags struct {
	Contexts    string
	AllContexts bool
	Parallel    int

	set, contextSet bool
	timeout         time.Duration
	timeoutErr      error
	engine          *ship.Engine
}

// NewFleetFlags returns the defaults: one cluster, 8 at a time when several.
func NewFleetFlags() *FleetFlags { return &FleetFlags{Parallel: fleet.DefaultParallel} }

// AddFlags binds --contexts, --all-contexts and --parallel to cmd.
func (f *FleetFlags) AddFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringVar(&f.Contexts, "contexts", "", "Act in these kubeconfig contexts, in this order: a comma-separated list of names or shell-style globs ('prod-*'); each context's namespace unless -n is given.")
	flags.BoolVar(&f.AllContexts, "all-contexts", false, "Act in every context of the kubeconfig.")
	flags.IntVar(&f.Parallel, "parallel", f.Parallel, "Across contexts, how many clusters to talk to at once.")
}

// Complete notes which flags were given and takes the engine; the request
// timeout (kubectl's --request-timeout) also bounds each cluster of a read.
func (f *FleetFlags) Complete(factory *Factory, cmd *cobra.Command) {
	f.set = cmd.Flags().Changed("contexts") || f.AllContexts
	if flag := cmd.Flags().Lookup("context"); flag != nil {
		f.contextSet = flag.Changed
	}
	if flag := cmd.Flags().Lookup("request-timeout"); flag != nil {
		f.timeout, f.timeoutErr = parseRequestTimeout(flag.Value.String())
	}
	f.engine = factory.Engine()
}

// parseRequestTimeout reads --request-timeout as kubectl does: a duration,
// or a number of seconds.
func parseRequestTimeout(value string) (time.Duration, error) {
	if seconds, err := strconv.Atoi(value); err == nil {
		return time.Duration(seconds) * time.Second, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("--request-timeout %q: give a duration such as 10s, or seconds", value)
	}
	return d, nil
}

// Enabled says the verb runs across contexts.
func (f *FleetFlags) Enabled() bool { return f.set }

// Validate checks the flags; it makes no request.
func (f *FleetFlags) Validate() error {
	switch {
	case f.Contexts != "" && f.AllContexts:
		return fmt.Errorf("give --contexts or --all-contexts, not both")
	case f.set && f.contextSet:
		return fmt.Errorf("--context names one cluster: give --context or --contexts/--all-contexts, not both")
	case f.set && !f.AllContexts && strings.Trim(f.Contexts, ", ") == "":
		return fmt.Errorf("--contexts is empty: give context names or globs")
	case f.Parallel < 1:
		return fmt.Errorf("--parallel must be at least 1, not %d", f.Parallel)
	}
	return f.timeoutErr
}

// Select returns the contexts chosen, in order, from the kubeconfig (read
// from disk, no request): a name that is not a context or a glob that
// matches none is an error naming the flag.
func (f *FleetFlags) Select() ([]string, error) {
	all, _, err := f.engine.Contexts()
	if err != nil {
		return nil, err
	}
	if f.AllContexts {
		if len(all) == 0 {
			return nil, fmt.Errorf("--all-contexts: the kubeconfig has no contexts")
		}
		return all, nil
	}
	return fleet.Select("--contexts", fleet.ParseList(f.Contexts), all)
}

// ReadFleet reads with read from every context f selects, at once
// (--parallel at a time, each within --request-timeout), and returns the
// contexts and their results in order; the error is the selection's, or the
// command's own when it was cut short.
func ReadFleet[T any](ctx context.Context, f *FleetFlags, read func(ctx context.Context, context string) (T, error)) ([]string, []fleet.Result[T], error) {
	contexts, err := f.Select()
	if err != nil {
		return nil, nil, err
	}
	results := fleet.Read(ctx, contexts, fleet.ReadOptions{Parallel: f.Parallel, Timeout: f.timeout}, read)
	return contexts, results, ctx.Err()
}

// FleetExit is the exit of a read across contexts from each one's outcome:
// nil when all are fine, else an ExitError with the status fleet.Verdict
// gives.
func FleetExit(contexts []string, outcomes []fleet.Outcome) error {
	if code, err := fleet.Verdict(contexts, outcomes); err != nil {
		return &ExitError{Code: code, Err: err}
	}
	return nil
}
