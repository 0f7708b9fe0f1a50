package httproute

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// touched reports whether rules send traffic to one of ship's Services.
func (s Split) touched(rules []any) bool {
	for _, r := range rules {
		refs, _ := r.(map[string]any)["backendRefs"].([]any)
		for _, ref := range refs {
			if name := s.ServiceOf(ref); name != "" && name != s.Service && (name == s.Canary || name == s.Stable) {
				return true
			}
		}
	}
	return false
}

// strip takes ship's changes out of rules as well as it can without the
// rules it saved: the rules that send only to the canary go, the canary's
// backends go, and the stable track's name the user's Service again, with
// the Gateway API's default weight.
func (s Split) strip(rules []any) []any {
	var out []any
	for _, r := range rules {
		rule, _ := runtime.DeepCopyJSONValue(r).(map[string]any)
		refs, _ := rule["backendRefs"].([]any)
		var kept []any
		for _, ref := range refs {
			switch s.ServiceOf(ref) {
			case s.Canary:
			case s.Stable, s.Service:
				kept = append(kept, withBackend(ref.(map[string]any), s.Service, 1))
			default:
				kept = append(kept, ref)
			}
		}
		if len(refs) > 0 && len(kept) == 0 {
			continue // ship's header rule
		}
		if len(refs) > 0 {
			rule["backendRefs"] = kept
		}
		out = append(out, rule)
	}
	return out
}

// withoutServiceWeights is rules with the weights of the backends naming
// the user's Service left out: what ship changes of a rule it splits.
func (s Split) withoutServiceWeights(rules []any) []any {
	out, _ := runtime.DeepCopyJSONValue(rules).([]any)
	for _, r := range out {
		refs, _ := r.(map[string]any)["backendRefs"].([]any)
		for _, ref := range refs {
			if s.ServiceOf(ref) == s.Service {
				delete(ref.(map[string]any), "weight")
			}
		}
	}
	return out
}

// OriginalRules are the route's rules as they were before ship changed
// them: the current ones when they hold none of ship's backends, else the
// ones ship saved, when the route changed only where ship changed it. When
// someone else changed it too, their changes are kept and only ship's are
// taken out, and the note says so.
func (s Split) OriginalRules(route *release.HTTPRoute, saved []any) ([]any, string) {
	current := RulesOf(route.Object)
	if !s.touched(current) {
		return current, ""
	}
	stripped := s.strip(current)
	if saved != nil && sameRules(s.withoutServiceWeights(stripped), s.withoutServiceWeights(saved)) {
		return saved, ""
	}
	return stripped, fmt.Sprintf("note: httproute %s changed since kubectl-ship first changed it: its own backends and rules come out, the rest stays as it is now, and the backends of service %s get weight 1",
		route.Name(), s.Service)
}

// EncodeRules is rules as JSON, as a Service's annotation keeps them to
// put the route back.
func EncodeRules(rules []any) (string, error) {
	raw, err := json.Marshal(rules)
	return string(raw), err
}

// Patch is the step that gives route the rules, as a JSON merge patch
// (the API server refuses strategic merge on custom resources) of
// spec.rules alone, carrying the resourceVersion it was planned against;
// nil when the route already has them.
func Patch(route *release.HTTPRoute, rules []any, reason string) (*plans.Step, error) {
	if sameRules(RulesOf(route.Object), rules) {
		return nil, nil
	}
	next := route.Object.DeepCopy()
	if err := unstructured.SetNestedSlice(next.Object, rules, "spec", "rules"); err != nil {
		return nil, err
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": route.Object.GetResourceVersion()},
		"spec":     map[string]any{"rules": rules},
	})
	if err != nil {
		return nil, err
	}
	return &plans.Step{Action: plans.Patch, Object: next, Patch: patch, PatchType: types.MergePatchType, Operation: "configured", Reason: reason}, nil
}
