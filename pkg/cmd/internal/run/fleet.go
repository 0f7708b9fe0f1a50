package run

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Rollback is how a verb undoes its operation in a cluster that failed.
type Rollback struct {
	Planner plans.Planner
	// Command is the rollback's command line: "kubectl ship abort NAME".
	Command string
}

// Fleet is how an operation runs across clusters.
type Fleet struct {
	// Waves are the contexts of each wave, as --wave lists them; with none,
	// Select gives the contexts of the one wave.
	Waves  []string
	Select func() ([]string, error)

	Soak      time.Duration
	OnFailure fleet.OnFailure
	Parallel  int
	// Out receives the results, ErrOut the progress; Reporters print each
	// cluster's changes.
	Out, ErrOut io.Writer
	Reporters   fleet.Reporters

	// Command is the command line that continues the run, Connection the
	// connection flags each printed command needs beside its own.
	Command, Connection string
	Rollback            Rollback
}

// Run carries planner's operation on release t through the waves with
// engine options o, and returns the fleet's report of every cluster.
func (f Fleet) Run(ctx context.Context, engine Engine, t ship.Target, planner plans.Planner, o ship.Options) (*fleet.Report, error) {
	waves, err := f.waves(engine)
	if err != nil {
		return nil, err
	}
	op := fleet.Operation{Target: t, Planner: planner, Options: o}
	hints := fleet.Hints{Continue: f.Command + f.Connection}
	if f.Rollback.Planner != nil {
		op.Rollback, op.RollbackCommand = f.Rollback.Planner, f.Rollback.Command
		hints.Rollback = f.Rollback.Command + f.Connection
	}
	return fleet.Run(ctx, engine, op, fleet.RunOptions{
		Waves: waves, Soak: f.Soak, OnFailure: f.OnFailure, Parallel: f.Parallel,
		Out: f.Out, ErrOut: f.ErrOut, Reporters: f.Reporters, Hints: hints, CrashIn: os.Getenv(crashInContextEnv),
	})
}

// waves matches the --wave lists against the kubeconfig's contexts or,
// with none, makes one wave of the contexts selected.
func (f Fleet) waves(engine Engine) ([]fleet.Wave, error) {
	if len(f.Waves) > 0 {
		all, _, err := engine.Contexts()
		if err != nil {
			return nil, err
		}
		return fleet.PlanWaves(f.Waves, all)
	}
	contexts, err := f.Select()
	return []fleet.Wave{{Number: 1, Contexts: contexts}}, err
}
