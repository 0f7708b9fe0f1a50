package run

import (
	"context"
	"fmt"

	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Releases are what a verb acts on: the names given, or the releases whose
// stable workload Selector matches, and the Service that routes to them
// when several do.
type Releases struct {
	Names    []string
	Selector string
	Service  string
}

// Each runs fn on every release, going on past failures as kubectl rollout
// does: each failure is handed to failed as it happens, and the count
// returned.
func (r Releases) Each(ctx context.Context, engine Engine, failed func(error), fn func(ship.Target) error) error {
	names := r.Names
	if r.Selector != "" {
		var err error
		if names, err = engine.Releases(ctx, ship.Target{}, r.Selector); err != nil {
			return err
		}
	}
	if len(names) == 1 {
		return fn(ship.Target{Name: names[0], Service: r.Service})
	}
	count := 0
	for _, name := range names {
		if err := fn(ship.Target{Name: name, Service: r.Service}); err != nil {
			failed(fmt.Errorf("%s: %w", name, err))
			count++
		}
	}
	if count > 0 {
		return fmt.Errorf("%d of %d releases failed", count, len(names))
	}
	return nil
}
