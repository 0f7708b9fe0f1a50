// Package run carries a verb's operation out with the engine: in one
// cluster, on each of several releases going on past failures, or through a
// fleet's waves. The verbs' flags, validation and printing stay in cli,
// which hands this package plain values and its printers.
package run

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// The testing aids that kill kubectl-ship on purpose, to prove every step
// boundary is safe to stop at: crashAfterStepEnv right after the Nth write,
// crashInContextEnv only in that context's run of a fleet (in the middle of
// a wave).
const (
	crashAfterStepEnv = "KUBECTL_SHIP_CRASH_AFTER_STEP"
	crashInContextEnv = "KUBECTL_SHIP_CRASH_IN_CONTEXT"
)

// Engine is what running an operation asks of the engine: *ship.Engine is
// the real one, and the tests hand in a fake.
type Engine interface {
	fleet.Engine
	// Contexts lists the kubeconfig's contexts; no request.
	Contexts() (names []string, current string, err error)
	// Releases lists the releases whose stable workload selector matches.
	Releases(ctx context.Context, t ship.Target, selector string) ([]string, error)
}

var _ Engine = (*ship.Engine)(nil)

// Reporter prints one run's changes, holding some back until Flush.
type Reporter interface {
	ship.Reporter
	Flush() error
}

// Options are the engine's options o, which the flags gave, with the
// crash seam read from the environment: the one place either is built.
func Options(o ship.Options) ship.Options {
	o.CrashAfterWrite, _ = strconv.Atoi(os.Getenv(crashAfterStepEnv))
	return o
}

// One carries out planner's operation on release t in one cluster, its
// changes printed by report; when the operation was cut short while
// waiting, hint says how to go on.
func One(ctx context.Context, engine Engine, t ship.Target, planner plans.Planner, o ship.Options, report Reporter, hint string) error {
	o.Report = report
	_, err := engine.Run(ctx, t, planner, o)
	if flushErr := report.Flush(); err == nil {
		err = flushErr
	}
	return resumeHint(err, hint)
}

// resumeHint adds to an operation cut short while it waited (by --timeout,
// Ctrl-C, or a pause) what the user can do next; other errors pass through
// unchanged.
func resumeHint(err error, hint string) error {
	if ship.CutShort(err) {
		return fmt.Errorf("%w: %s", err, hint)
	}
	return err
}
