// Package cli holds what every kubectl-ship verb shares at the command line:
// the client factory built from kubectl's connection flags, the flags of
// mutating verbs, their validation, and how their results print. Carrying
// an operation out (one cluster, several releases, a fleet's waves) is
// pkg/cmd/internal/run's.
package cli

import (
	"context"
	"io"
	"sync"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Factory gives the verbs the operation engine, built on first use from
// kubectl's connection flags (--kubeconfig, --context, -n, --as, ...).
type Factory struct {
	engine func() *ship.Engine
}

// NewFactory returns a Factory over the connection flags; the API server's
// warnings are printed to warnings.
func NewFactory(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Factory {
	// The flags stay in the closure: see kube.Factory for why no field
	// holds them.
	return &Factory{engine: sync.OnceValue(func() *ship.Engine { return ship.NewEngine(flags, warnings) })}
}

// Engine returns the operation engine.
func (f *Factory) Engine() *ship.Engine { return f.engine() }

// CommandOptions is what every command's Options is: Complete reads the factory and
// the arguments, Validate checks the values without a request, Run acts.
type CommandOptions interface {
	Complete(f *Factory, cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// RunE is the RunE of a command whose Options are o: the three in turn.
func RunE(f *Factory, o CommandOptions) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(f, cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
	}
}
