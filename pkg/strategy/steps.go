// Package strategy holds the pure planners of kubectl-ship: from a snapshot of
// a release and what the user asked for, they decide which objects to create,
// patch or delete, what to wait for, and why. An empty plan means the release
// is already where it was asked to be. Planners make no API calls.
package strategy

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// inTheWay refuses to create an object over one of the same name that is
// not part of release name.
func inTheWay(kind, name, release string) error {
	return fmt.Errorf("%s %s already exists and was not created by kubectl-ship for release %s: rename or delete it", kind, name, release)
}

// waitFor is a step waiting until obj meets until.
func waitFor(obj runtime.Object, until plans.Condition, reason string) plans.Step {
	return plans.Step{Action: plans.Wait, Object: obj, Until: until, Reason: reason}
}

// patchStep returns the step that turns current into desired, or nil when
// they already agree. schema is the typed struct that tells strategic merge
// how to merge lists (appsv1.Deployment{}, corev1.Service{}).
func patchStep(current, desired runtime.Object, schema any, operation, reason string) (*plans.Step, error) {
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
	return &plans.Step{Action: plans.Patch, Object: desired, Patch: patch, PatchType: types.StrategicMergePatchType, Operation: operation, Reason: reason}, nil
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
