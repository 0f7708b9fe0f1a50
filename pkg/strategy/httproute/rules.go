// Package httproute edits an HTTPRoute's rules for the planners: how they
// split a Service's traffic between ship's track Services, with header
// matches in front, and how they are put back as they were; the limits the
// Gateway API's CRD sets, mirrored so a plan it would refuse is refused
// before its first write. It works on the rules as unstructured JSON, so
// every field ship does not know is kept.
package httproute

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// The limits the Gateway API's CRD puts on an HTTPRoute's rules, mirrored
// so that a plan it would refuse is refused whole, before its first write
// (the API server's dry run catches the rest).
const (
	maxRules        = 16
	maxMatches      = 128 // in all rules
	maxRuleMatches  = 64
	maxMatchHeaders = 16
	maxHeaderName   = 256
	maxHeaderValue  = 4096
)

// Split is how a route's rules that send traffic to the release's
// Service share it between the tracks. The rules are the route's own, as
// unstructured JSON values, so that every field ship does not know is kept.
type Split struct {
	// RouteNamespace is the route's namespace, Namespace the Services'.
	RouteNamespace, Namespace string
	// Service is the user's Service; Stable and Canary the backends of
	// each track (Stable may be Service itself).
	Service, Stable, Canary string
	StableWeight            int64
	CanaryWeight            int64
	// Matches are the header matches that send a request to the canary
	// whatever the weights.
	Matches []map[string]any
}

// Rules returns original with every rule that sends traffic to the
// Service alone split between the tracks, each with the same port and
// filters, and, when there are header matches, before all of them a copy of
// each such rule that sends matching requests to the canary alone, keeping
// the rule's path, method and query matches.
func (s Split) Rules(route string, original []any) ([]any, error) {
	var head, out []any
	split := 0
	for i, r := range original {
		rule, _ := runtime.DeepCopyJSONValue(r).(map[string]any)
		refs, _ := rule["backendRefs"].([]any)
		at, ports, others := -1, []string{}, []string{}
		for j, ref := range refs {
			if s.ServiceOf(ref) == s.Service {
				at, ports = j, append(ports, fmt.Sprint(ref.(map[string]any)["port"]))
			} else {
				others = append(others, describeRef(ref))
			}
		}
		switch {
		case at < 0:
			out = append(out, rule)
			continue
		case len(ports) > 1:
			return nil, fmt.Errorf("rule %d of httproute %s sends traffic to service %s on ports %s: kubectl-ship only splits rules that send it to one port of service %s",
				i+1, route, s.Service, strings.Join(ports, " and "), s.Service)
		case len(refs) > 1:
			return nil, fmt.Errorf("rule %d of httproute %s sends traffic to service %s and to %s: kubectl-ship only splits rules that send it to service %s alone",
				i+1, route, s.Service, strings.Join(others, ", "), s.Service)
		}
		split++
		ref, _ := refs[at].(map[string]any)
		rule["backendRefs"] = []any{withBackend(ref, s.Stable, s.StableWeight), withBackend(ref, s.Canary, s.CanaryWeight)}
		out = append(out, rule)
		if len(s.Matches) > 0 {
			header, _ := runtime.DeepCopyJSONValue(r).(map[string]any)
			delete(header, "name") // rule names are unique within a route
			matches, err := s.withHeaders(route, i, header["matches"])
			if err != nil {
				return nil, err
			}
			header["matches"] = matches
			header["backendRefs"] = []any{withBackend(ref, s.Canary, 1)}
			head = append(head, header)
		}
	}
	if split == 0 {
		return nil, fmt.Errorf("httproute %s does not send traffic to service %s", route, s.Service)
	}
	out = append(head, out...)
	if err := withinLimits(route, out); err != nil {
		return nil, err
	}
	return out, nil
}

// withHeaders is each of a rule's matches (the Gateway API's default, a
// path prefix of /, when it has none) once per header match of s.
func (s Split) withHeaders(route string, rule int, matches any) ([]any, error) {
	list, _ := matches.([]any)
	if len(list) == 0 {
		list = []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}}
	}
	var out []any
	for _, m := range list {
		for _, h := range s.Matches {
			match, _ := runtime.DeepCopyJSONValue(m).(map[string]any)
			headers, _ := match["headers"].([]any)
			for _, existing := range headers {
				if name, _ := existing.(map[string]any)["name"].(string); strings.EqualFold(name, h["name"].(string)) {
					return nil, fmt.Errorf("rule %d of httproute %s already matches header %s: choose another with --header", rule+1, route, name)
				}
			}
			if len(headers) >= maxMatchHeaders {
				return nil, fmt.Errorf("rule %d of httproute %s already matches %d headers, the most an HTTPRoute match may: the canary's header rule would need one more; drop --header/--cookie, or match fewer headers in that rule",
					rule+1, route, len(headers))
			}
			match["headers"] = append(headers, runtime.DeepCopyJSONValue(h))
			out = append(out, match)
		}
	}
	if len(out) > maxRuleMatches {
		return nil, fmt.Errorf("rule %d of httproute %s would have %d matches with the canary's header rule, more than the %d an HTTPRoute rule may have: give --header or --cookie, not both, or split the rule",
			rule+1, route, len(out), maxRuleMatches)
	}
	return out, nil
}

func withinLimits(route string, rules []any) error {
	if len(rules) > maxRules {
		return fmt.Errorf("httproute %s would have %d rules with the canary's header rules, more than the %d an HTTPRoute may have: drop --header/--cookie, or split the route",
			route, len(rules), maxRules)
	}
	matches := 0
	for _, r := range rules {
		list, _ := r.(map[string]any)["matches"].([]any)
		matches += max(1, len(list))
	}
	if matches > maxMatches {
		return fmt.Errorf("httproute %s would have %d matches with the canary's header rules, more than the %d an HTTPRoute may have: drop --header/--cookie, or split the route",
			route, matches, maxMatches)
	}
	return nil
}

// describeRef names a backendRef as a person reads it: "web:80",
// "other/web:80", or its kind for another kind than a Service.
func describeRef(ref any) string {
	m, _ := ref.(map[string]any)
	name := fmt.Sprint(m["name"])
	if ns, ok := m["namespace"].(string); ok && ns != "" {
		name = ns + "/" + name
	}
	if kind, ok := m["kind"].(string); ok && kind != "" && kind != "Service" {
		name = strings.ToLower(kind) + " " + name
	}
	if port, ok := m["port"]; ok {
		name += fmt.Sprintf(":%v", port)
	}
	return name
}

// withBackend is a copy of ref sending weight to Service name.
func withBackend(ref map[string]any, name string, weight int64) map[string]any {
	out, _ := runtime.DeepCopyJSONValue(ref).(map[string]any)
	out["name"] = name
	out["weight"] = weight
	return out
}

// ServiceOf is the Service of s.Namespace a backendRef names, or "".
func (s Split) ServiceOf(ref any) string {
	m, _ := ref.(map[string]any)
	group, _ := m["group"].(string)
	kind, hasKind := m["kind"].(string)
	ns, hasNS := m["namespace"].(string)
	if !hasNS {
		ns = s.RouteNamespace
	}
	name, _ := m["name"].(string)
	if group != "" || hasKind && kind != "Service" || ns != s.Namespace {
		return ""
	}
	return name
}

// HeaderMatches are the header matches for --header and --cookie (header
// nil and cookie "" when not given), as an HTTPRoute holds them. The
// Gateway API has no cookie match: a cookie is matched in the Cookie
// header, by a regular expression.
func HeaderMatches(header *release.HeaderMatch, cookie string) []map[string]any {
	var out []map[string]any
	if h := header; h != nil {
		out = append(out, map[string]any{"type": h.Type, "name": h.Name, "value": h.Value})
	}
	if cookie != "" {
		out = append(out, map[string]any{"type": "RegularExpression", "name": "Cookie", "value": cookiePattern(cookie)})
	}
	return out
}

// cookiePattern matches a Cookie header that sets cookie name to "always",
// as ingress-nginx's canary-by-cookie does.
func cookiePattern(name string) string {
	return `(^|;\s*)` + regexp.QuoteMeta(name) + `=always(;|$)`
}

// RulesOf is an HTTPRoute's rules as unstructured JSON values.
func RulesOf(obj *unstructured.Unstructured) []any {
	rules, _, _ := unstructured.NestedSlice(obj.Object, "spec", "rules")
	return rules
}

func sameRules(a, b []any) bool {
	return equality.Semantic.DeepEqual(a, b)
}
