//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// What the API server would refuse of a route is refused before the first
// write: the cheap rules on the client, the rest by a dry run of the route's
// write (here an admission policy that ship cannot know of).
func TestRouteRefusalsComeBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	var headers []string
	for i := range 16 {
		headers = append(headers, fmt.Sprintf("{name: X-%d, value: \"1\"}", i))
	}
	apply(t, ns, httpRoute("ctwoc", "ctwoc")+"---\n"+strings.NewReplacer("metadata:\n  name: ctwoc\n", "metadata:\n  name: crowded\n", "ctwoc.example", "crowded.example",
		"  - backendRefs:\n", "  - matches:\n    - headers: ["+strings.Join(headers, ", ")+"]\n    backendRefs:\n").Replace(httpRoute("ctwoc", "ctwoc")))
	canary := func(args ...string) []string {
		return append([]string{"canary", "ctwoc", "--image", v2, "--weight", "5"}, args...)
	}
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"a cookie name too long", "--cookie: the cookie name is 4100 characters long: matched in the Cookie header it would take 4120 of the 4096 characters an HTTPRoute allows a header match",
			canary("--route", "httproute/ctwoc", "--cookie", strings.Repeat("c", 4100))},
		{"a 17th header", "rule 1 of httproute crowded already matches 16 headers, the most an HTTPRoute match may",
			canary("--route", "httproute/crowded", "--header", "X-Canary=1")},
		{"a newline in a header value", `holds a control character (such as a newline), which no HTTP header value can carry`,
			canary("--route", "httproute/ctwoc", "--header", "X-Canary=a\nb")},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}

	// An admission policy on the routes of this namespace refuses weight 5.
	policy := "ship-no-five-" + ns
	apply(t, "", `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: `+policy+`
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [gateway.networking.k8s.io], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: [httproutes]}
  validations:
  - expression: "object.spec.rules.all(r, !has(r.backendRefs) || r.backendRefs.all(b, !has(b.weight) || b.weight != 5))"
    message: weights of 5 are not allowed here
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: `+policy+`
spec:
  policyName: `+policy+`
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: `+ns+`}
`)
	t.Cleanup(func() {
		kubectl(t, "delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", policy)
	})
	// The policy takes a moment to apply: until it does, the canary runs.
	eventually(t, "the admission policy refuses", func() (bool, string) {
		res := kubectl(t, "patch", "httproute", "ctwoc", "-n", ns, "--type=merge", "--dry-run=server", "-p", `{"spec":{"rules":[{"backendRefs":[{"name":"ctwoc","port":80,"weight":5}]}]}}`)
		return res.code != 0, res.stdout + res.stderr
	})
	assertRefused(t, ns, 1, "httproute.gateway.networking.k8s.io/ctwoc would be refused by the API server, so nothing was changed: ", canary("--route", "httproute/ctwoc")...)
	assertRefused(t, ns, 1, "weights of 5 are not allowed here", canary("--route", "httproute/ctwoc")...)
	mustShip(t, ns, canary("--route", "httproute/ctwoc", "--weight", "6")...)
}
