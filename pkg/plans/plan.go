// Package plans is the vocabulary the planners and the code that carries out
// their plans share: a Plan of Steps (and the wait and patch steps every
// planner builds), what a planner reads (Needs, Snapshot), the Planner
// interface and the validation of a plan before its first write.
// It decides nothing and calls nothing: kube, ship and fleet depend on it,
// not on the planners in pkg/strategy.
package plans

import (
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Action is what a step does.
type Action string

// The actions a plan is made of.
const (
	Create Action = "create"
	Patch  Action = "patch"
	Delete Action = "delete"
	// Wait blocks until Object meets the step's condition (Until).
	Wait Action = "wait"
	// Stay blocks for the step's Duration, holding the release's lock.
	Stay Action = "stay"
	// Hold is a stay during which the release's gates are checked on the
	// Deployment in Object (the canary, or the new color) and the one
	// serving beside it: a failure ends it, and the planner's Recover then
	// rolls back.
	Hold Action = "hold"
	// Await blocks, holding the release's lock and giving way to any other
	// command on it, until a person's verdict on the pause recorded in the
	// step's Progression arrives in the release's record: an approval ends
	// it, a rejection fails it as a gate would.
	Await Action = "await"
)

// Condition is what a Wait step waits for.
type Condition string

// The conditions a plan can wait for.
const (
	// RolledOut: every replica of a Deployment runs its current template
	// and is available, as 'kubectl rollout status' says.
	RolledOut Condition = "RolledOut"
	// EndpointsSelected: a Service's EndpointSlices list as ready exactly
	// the ready pods its selector now picks.
	EndpointsSelected Condition = "EndpointsSelected"
	// EndpointsReady: a Service's EndpointSlices list at least one ready
	// endpoint, so a route may send it traffic.
	EndpointsReady Condition = "EndpointsReady"
	// Observed: the Deployment controller has seen a Deployment's latest
	// generation, which a change of its annotations alone also bumps.
	Observed Condition = "Observed"
	// NodesReady: every node a DaemonSet should run on
	// (status.desiredNumberScheduled) runs one ready pod of it, and none of
	// its pods is going away.
	NodesReady Condition = "NodesReady"
)

// Step is one idempotent change, or a wait. Object is the object as the step
// leaves it: the object to create, the patched result, the object to delete
// (its UID and resourceVersion are the preconditions), or the object waited
// for. It is a typed built-in object or an *unstructured.Unstructured.
type Step struct {
	Action Action
	Object runtime.Object
	// Patch carries the resourceVersion it was computed against, so the
	// server refuses it if the object moved on; PatchType says how it
	// merges (strategic merge only works for built-in kinds).
	Patch     []byte
	PatchType types.PatchType
	// Until is the condition of a Wait.
	Until Condition
	// Duration is how long a Stay or a Hold lasts; for a Wait, its own
	// deadline within the operation's (0: the operation's alone).
	Duration time.Duration
	// Progression is what a Hold or an Await records in the release's
	// record while it lasts: the step of a progression it holds or the
	// pause it awaits a verdict on. On a Wait in a segment with no Hold
	// (a DaemonSet's batch before its step holds), it is the step whose
	// gates judge the pods while they start.
	Progression *release.Progression
	// Operation is the past-tense word of the result line ("created").
	Operation string
	// Reason says in words what the step is for, for people: a Stay's
	// progress line, a Hold's place in a client dry run's description of
	// its gates (and, outside a progression, in its gate failure), and
	// what a stay cut short leaves undone. It also keys the stays a run
	// has done, so a plan made again after a conflict does not stay twice.
	Reason string
}

// Plan is the ordered steps of one command, and what to tell the user
// before acting.
type Plan struct {
	Notes []string
	Steps []Step
	// Progression, when set, is recorded in the release's record once the
	// steps are carried out.
	Progression *release.Progression
	// Continue marks a segment of a longer operation (a progression's
	// step): once it is carried out, the planner plans the next from a
	// fresh read, until a plan does not continue.
	Continue bool
	// Route is the way back of the route the plan changes: the release's
	// record keeps it from the moment the lock is taken, so that the route
	// can be put back whatever of ship's objects is lost. RouteRestored
	// says the plan puts the route back: the record then forgets it.
	Route         *release.RouteRecord
	RouteRestored bool
}

// Writes reports whether the plan changes anything, its record included.
func (p Plan) Writes() bool {
	for _, s := range p.Steps {
		if s.Writes() || s.Action == Hold || s.Action == Await {
			return true
		}
	}
	return p.Progression != nil
}

// Writes reports whether the step changes an object.
func (s Step) Writes() bool {
	return s.Action == Create || s.Action == Patch || s.Action == Delete
}

// NothingLeftError refuses a command because what it acts on is gone: promote
// finds no canary. When the release's last operation was the same verb,
// finished or interrupted, it is no refusal: that command already did it.
type NothingLeftError struct{ msg string }

// NothingLeft is the NothingLeftError that says msg.
func NothingLeft(msg string) *NothingLeftError { return &NothingLeftError{msg} }

func (e *NothingLeftError) Error() string { return e.msg }

// StepRefusedError refuses the next step of a progression under way: what
// it would move traffic to is no longer ready. The engine rolls the
// progression back as a failed gate does, rather than leave its traffic
// half way with no command watching it.
type StepRefusedError struct{ Err error }

func (e *StepRefusedError) Error() string { return "the next step cannot be taken: " + e.Err.Error() }
func (e *StepRefusedError) Unwrap() error { return e.Err }
