package plans

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// InTheWay refuses to create an object over one of the same name that is
// not part of release name.
func InTheWay(kind, name, release string) error {
	return fmt.Errorf("%s %s already exists and was not created by kubectl-ship for release %s: rename or delete it", kind, name, release)
}

// WaitFor is a step waiting until obj meets until.
func WaitFor(obj runtime.Object, until Condition, reason string) Step {
	return Step{Action: Wait, Object: obj, Until: until, Reason: reason}
}

// PatchStep returns the step that turns current into desired, or nil when
// they already agree. schema is the typed struct that tells strategic merge
// how to merge lists (appsv1.Deployment{}, corev1.Service{}).
func PatchStep(current, desired runtime.Object, schema any, operation, reason string) (*Step, error) {
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
	return &Step{Action: Patch, Object: desired, Patch: patch, PatchType: types.StrategicMergePatchType, Operation: operation, Reason: reason}, nil
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
