// Package ship carries out operations on releases: a Target and a Planner go
// in, a Result comes out. It is cobra-free, so the commands, the tests and
// the fleet runner share it: every write happens under the release's lock,
// from a plan made under that lock, after the user's access was checked.
package ship

import (
	"io"
	"time"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Target is one release in one cluster: the unit every verb acts on.
type Target struct {
	// Context is the kubeconfig context; "" is the current one.
	Context string
	// Namespace is the release's namespace; "" is the context's.
	Namespace string
	// Name is the release's stable Deployment.
	Name string
	// Service is the Service that routes to it, when several do.
	Service string
	// Canary and Green name the canary or green made by hand beside it,
	// when the layout alone does not tell which (status, adopt).
	Canary, Green string
}

// Choice is what t names of its release's objects, for the read model.
func (t Target) Choice() release.Choice {
	return release.Choice{Service: t.Service, Canary: t.Canary, Green: t.Green}
}

// DryRun is how much of an operation really happens.
type DryRun string

// The dry-run strategies, as kubectl names them.
const (
	DryRunNone   DryRun = "none"
	DryRunClient DryRun = "client"
	DryRunServer DryRun = "server"
)

// Options are how one operation runs.
type Options struct {
	DryRun DryRun
	// Timeout bounds each wait of the operation (a rollout, a switch);
	// 0 is no bound.
	Timeout time.Duration
	// Wait for what the plan waits for (rollouts, endpoints); without it
	// the operation ends after its last write.
	Wait bool
	// ForceUnlock takes the release's lock even from a live holder.
	ForceUnlock bool
	// Gates are what the plan's holds check.
	Gates Gates
	// Command is the command line, as the release's record keeps it.
	Command string
	// Progress receives the plan's notes before it acts, and the progress
	// of its waits.
	Progress io.Writer
	// Report receives each change as it is made, or planned on a client
	// dry run; nil when the caller only wants the Result.
	Report Reporter
	// Fleet, in a run across contexts, places this operation in it for
	// the release's record.
	Fleet *release.FleetStep
	// CrashAfterWrite, when positive, kills the process right after that
	// many writes: a testing aid that proves every step boundary is safe.
	CrashAfterWrite int
	// Resolve, when set, makes the planner and gates of the run from the
	// release's Deployment once read: the policy it carries.
	Resolve Resolver
	// Notifier, when set (or set by Resolve), is told of the release's
	// moments: started, each step, a pause and its verdict, the end.
	Notifier Notifier
}

// Reporter is told of each change an operation makes.
type Reporter interface {
	Report(Change) error
}

// Change is one write: the object as the server (or the plan, on a client
// dry run) left it, and what happened to it.
type Change struct {
	Action plans.Action
	Object runtime.Object
	// Operation is the past-tense word of its result line ("created").
	Operation string
	// Line is the result line, as kubectl prints it:
	// "deployment.apps/ctwoc-canary created".
	Line string
}

// Result is what an operation did.
type Result struct {
	Target  Target
	Changes []Change
	// AlreadyDone is set when there was nothing left to do because the
	// same verb had done it before: the answer to a command run twice.
	AlreadyDone bool
}
