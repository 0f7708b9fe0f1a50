package fleet

import (
	"context"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Engine is what a fleet asks of the engine in each of its clusters, the
// target's Context naming the cluster: *ship.Engine is the real one, and
// the fleet's tests hand in a fake.
type Engine interface {
	// Run carries out an operation on the release.
	Run(ctx context.Context, t ship.Target, p plans.Planner, o ship.Options) (*ship.Result, error)
	// ReadLockState reads the release's record and who holds its lock.
	ReadLockState(ctx context.Context, t ship.Target) (ship.LockState, error)
	// Refusal plans the operation, writing nothing, and returns the error
	// it would stop on before its first write.
	Refusal(ctx context.Context, t ship.Target, p plans.Planner) error
	// Observe reads what the built-in gates judge of the release: of a
	// workload of kind (release.Observed.Kind), or "" of the one its name
	// finds.
	Observe(ctx context.Context, t ship.Target, kind string) (*release.Observed, error)
	// SoakGates binds the user's analyses and webhooks to the release, for
	// a soak of length window.
	SoakGates(ctx context.Context, t ship.Target, gates ship.Gates, window time.Duration) ([]gate.Gate, *gate.Payload, error)
	// RecordSoak records a wave's soak that ended healthy there.
	RecordSoak(ctx context.Context, t ship.Target, command string, step release.FleetStep, d time.Duration) error
}
