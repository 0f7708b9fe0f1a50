// Package strategy holds the pure planners of kubectl-ship: from a snapshot of
// a release and what the user asked for, they decide which objects to create,
// patch or delete, and why. An empty plan means the release is already where
// it was asked to be. Planners make no API calls.
package strategy

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// Action is what a step does to its object.
type Action string

// The actions a plan is made of.
const (
	Create Action = "create"
	Patch  Action = "patch"
	Delete Action = "delete"
	// Wait blocks until the Deployment in Object has rolled out.
	Wait Action = "wait"
)

// Step is one idempotent change. Object is the object as the step leaves it:
// the object to create, the patched result, or the object to delete (its UID
// is the precondition).
type Step struct {
	Action Action
	Object runtime.Object
	// Patch is a strategic merge patch carrying the resourceVersion it was
	// computed against, so the server refuses it if the object moved on.
	Patch []byte
	// Operation is the past-tense word of the result line ("created").
	Operation string
	// Reason says why the step is needed, for --dry-run=client.
	Reason string
}

// Plan is the ordered steps of one command, and what to tell the user
// before acting.
type Plan struct {
	Notes []string
	Steps []Step
}

// NothingLeftError refuses a command because what it acts on is gone: promote
// finds no canary. When the release's last operation was the same command,
// finished or interrupted, it is no refusal: that command already did it.
type NothingLeftError struct{ msg string }

func (e *NothingLeftError) Error() string { return e.msg }

// Writes reports whether the plan changes anything.
func (p Plan) Writes() bool {
	for _, s := range p.Steps {
		if s.Action != Wait {
			return true
		}
	}
	return false
}

// patchStep returns the step that turns current into desired, or nil when
// they already agree. schema is the typed struct that tells strategic merge
// how to merge lists (appsv1.Deployment{}, corev1.Service{}).
func patchStep(current, desired runtime.Object, schema any, operation, reason string) (*Step, error) {
	before, err := json.Marshal(current)
	if err != nil {
		return nil, err
	}
	after, err := json.Marshal(desired)
	if err != nil {
		return nil, err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(before, after, schema)
	if err != nil {
		return nil, fmt.Errorf("computing patch: %w", err)
	}
	if string(patch) == "{}" {
		return nil, nil
	}
	if patch, err = withResourceVersion(patch, current); err != nil {
		return nil, err
	}
	return &Step{Action: Patch, Object: desired, Patch: patch, Operation: operation, Reason: reason}, nil
}

// withResourceVersion adds obj's resourceVersion to patch: the API server
// then applies the patch only to that exact version (optimistic concurrency).
func withResourceVersion(patch []byte, obj runtime.Object) ([]byte, error) {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	var fields map[string]any
	if err := json.Unmarshal(patch, &fields); err != nil {
		return nil, err
	}
	metadata, _ := fields["metadata"].(map[string]any)
	if metadata == nil {
		metadata = map[string]any{}
	}
	metadata["resourceVersion"] = accessor.GetResourceVersion()
	fields["metadata"] = metadata
	return json.Marshal(fields)
}
