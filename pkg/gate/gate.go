// Package gate judges the health of a release while it progresses: the
// built-in pod checks (pure, from listed objects), Prometheus analyses and
// webhooks (HTTP, through a client the caller hands in), and the tracker that
// turns a run of check results into "roll back now". It knows nothing of
// cobra or of how objects are fetched: the operation engine lists the pods,
// builds the gates and records their Results.
package gate

import (
	"context"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Verdict is what one check of one gate concluded; the read model owns its
// representation, since status and the release's record show it.
type Verdict = release.Verdict

// The verdicts.
const (
	Pass         = release.Pass
	Fail         = release.Fail
	Inconclusive = release.Inconclusive
)

// DefaultTimeout bounds one Prometheus query or webhook call.
const DefaultTimeout = 10 * time.Second

// Result is the outcome of one check of one gate.
type Result = release.GateResult

// Gate is one health check, run again at every check of a progression. Check
// never returns an error: what goes wrong becomes a Fail or an Inconclusive
// with its reason, as the release's record must show it.
type Gate interface {
	Name() string
	Check(ctx context.Context) Result
}

// Preflighter is a gate that can tell, once before anything is written,
// whether it can be evaluated at all (a query Prometheus rejects, a
// Prometheus that does not answer): such an error is the user's to fix, so
// the command stops instead of starting a release it cannot judge.
type Preflighter interface {
	Preflight(ctx context.Context) error
}

// withTimeout bounds ctx by d, or by DefaultTimeout when d is not positive.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	if d <= 0 {
		d = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, d
}
