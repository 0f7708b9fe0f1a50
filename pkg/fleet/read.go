package fleet

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// DefaultParallel is how many clusters a fleet command talks to at once.
const DefaultParallel = 8

// defaultTimeout bounds one cluster's reads when --request-timeout does not.
const defaultTimeout = 30 * time.Second

// Result is one cluster's answer to a fleet read.
type Result[T any] struct {
	Context string
	Value   T
	Err     error
}

// ReadOptions bound a fleet read.
type ReadOptions struct {
	// Parallel is how many clusters are read at once.
	Parallel int
	// Timeout bounds each cluster's reads, all of them together.
	Timeout time.Duration
}

// Read reads every context with read, at most o.Parallel at once, each
// within o.Timeout, and returns the answers in the order of contexts. A
// cluster that fails is an answer with its error, never a failed read: the
// caller shows it as a row. It costs the slowest cluster, not the sum.
func Read[T any](ctx context.Context, contexts []string, o ReadOptions, read func(ctx context.Context, context string) (T, error)) []Result[T] {
	results := make([]Result[T], len(contexts))
	var g errgroup.Group
	g.SetLimit(max(o.Parallel, 1))
	for i, name := range contexts {
		g.Go(func() error {
			results[i] = readOne(ctx, name, o.Timeout, read)
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no error: each keeps its own
	return results
}

func readOne[T any](ctx context.Context, name string, timeout time.Duration, read func(context.Context, string) (T, error)) Result[T] {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := read(cctx, name)
	// The deadline cut the read short, not Ctrl-C: say so, as "context
	// deadline exceeded" alone does not tell the user which deadline.
	if err != nil && ctx.Err() == nil && cctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("no answer within %s (--request-timeout): %w", timeout, context.DeadlineExceeded)
	}
	return Result[T]{Context: name, Value: v, Err: err}
}
