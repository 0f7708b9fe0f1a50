// Package cli holds what every kubectl-ship verb shares at the command line:
// the client factory built from kubectl's connection flags, the flags of
// mutating verbs and how their results print, and working through several
// releases.
package cli

import (
	"io"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Factory gives the verbs the operation engine, built on first use from
// kubectl's connection flags (--kubeconfig, --context, -n, --as, ...).
type Factory struct {
	flags    *genericclioptions.ConfigFlags
	warnings io.Writer
	engine   func() *ship.Engine
}

// NewFactory returns a Factory over the connection flags; the API server's
// warnings are printed to warnings.
func NewFactory(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Factory {
	f := &Factory{flags: flags, warnings: warnings}
	f.engine = sync.OnceValue(func() *ship.Engine { return ship.NewEngine(f.flags, f.warnings) })
	return f
}

// Engine returns the operation engine.
func (f *Factory) Engine() *ship.Engine { return f.engine() }
