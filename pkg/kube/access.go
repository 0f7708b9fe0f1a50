package kube

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// roleFile is the minimal Role kubectl-ship needs, shipped in the repository.
const roleFile = "deploy/rbac/role.yaml"

// access is one request a plan will make: a verb on a resource of an API
// group, on the object Name when known ("" for create, or unknown).
type access struct {
	Verb, Group, Resource, Name string
}

// String names the resource as kubectl auth can-i does: "deployments.apps".
func (a access) String() string {
	if a.Group == "" {
		return fmt.Sprintf("%q on %s", a.Verb, a.Resource)
	}
	return fmt.Sprintf("%q on %s.%s", a.Verb, a.Resource, a.Group)
}

// CheckAccess asks the API server, in one SelfSubjectRulesReview, what the
// user may do in namespace, and refuses p before its first write when a
// step, a wait, the release's lock, or what the planner may read to recover
// (needs) would be forbidden: a refusal halfway would leave the release
// between two states. When the server cannot list the rules completely (an
// authorizer other than RBAC) or forbids the review, the check is skipped:
// the server still enforces every request.
func (c *Client) CheckAccess(ctx context.Context, namespace, name string, p plans.Plan, needs plans.Needs) error {
	rules, err := c.ReviewAccess(ctx, namespace)
	if err != nil {
		return err
	}
	return rules.Check(name, p, needs)
}

// Rules are what the user may do in a namespace, as one
// SelfSubjectRulesReview said; nil when it could not say, and then every
// plan passes (the server still enforces every request).
type Rules struct {
	namespace string
	rules     []authorizationv1.ResourceRule
}

// ReviewAccess asks the API server what the user may do in namespace, for
// Check: asked while the release is read, it costs no time of its own.
func (c *Client) ReviewAccess(ctx context.Context, namespace string) (*Rules, error) {
	review, err := c.selfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{
		Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: namespace},
	}, metav1.CreateOptions{})
	switch {
	case apierrors.IsForbidden(err), apierrors.IsNotFound(err), apierrors.IsMethodNotSupported(err):
		return nil, nil
	case err != nil:
		return nil, err
	case review.Status.Incomplete:
		return nil, nil
	}
	return &Rules{namespace: namespace, rules: review.Status.ResourceRules}, nil
}

// Check refuses p, on release name, when one of its requests is not among
// the rules (see CheckAccess).
func (r *Rules) Check(name string, p plans.Plan, needs plans.Needs) error {
	if r == nil {
		return nil
	}
	for _, need := range planAccess(p, needs, release.LockName(name)) {
		if !allowed(r.rules, need) {
			return fmt.Errorf("forbidden: kubectl-ship needs %s in namespace %s (see %s)", need, r.namespace, roleFile)
		}
	}
	return nil
}

// leaseAccess is what the release's lock needs (Lock, Lock.Release): its
// Lease, lease, is read, created the first time, and updated to take and
// free it; a stay watches it. The Event that records an operation is best
// effort, so not required here.
func leaseAccess(lease string, stays bool) []access {
	out := []access{
		{Verb: "get", Group: "coordination.k8s.io", Resource: "leases", Name: lease},
		{Verb: "create", Group: "coordination.k8s.io", Resource: "leases"},
		{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Name: lease},
	}
	if stays {
		out = append(out, access{Verb: "watch", Group: "coordination.k8s.io", Resource: "leases", Name: lease})
	}
	return out
}

// planAccess lists, in order and once each, the requests carrying out p
// makes: every write, the watches and lists of its waits, what needs reads,
// and the lock, the Lease named lease.
func planAccess(p plans.Plan, needs plans.Needs, lease string) []access {
	var out []access
	add := func(as ...access) {
		for _, a := range as {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for _, step := range p.Steps {
		add(stepAccess(step)...)
	}
	if needs.Revisions {
		add(access{Verb: "list", Group: "apps", Resource: "replicasets"})
	}
	add(leaseAccess(lease, slices.ContainsFunc(p.Steps, func(s plans.Step) bool {
		return s.Action == plans.Stay || s.Action == plans.Hold || s.Action == plans.Await
	}))...)
	return out
}

func stepAccess(step plans.Step) []access {
	switch step.Action {
	case plans.Stay, plans.Await:
		return nil
	case plans.Hold: // the built-in gate reads the pods and the Deployments, or the StatefulSet or DaemonSet
		switch step.Object.(type) {
		case *appsv1.StatefulSet:
			return []access{{Verb: "list", Resource: "pods"}, {Verb: "get", Group: "apps", Resource: "statefulsets", Name: objectName(step.Object)}}
		case *appsv1.DaemonSet:
			return []access{{Verb: "list", Resource: "pods"}, {Verb: "get", Group: "apps", Resource: "daemonsets", Name: objectName(step.Object)}}
		}
		return []access{{Verb: "list", Resource: "pods"}, {Verb: "list", Group: "apps", Resource: "deployments"}}
	case plans.Wait:
		switch step.Until {
		case plans.RolledOut, plans.Observed:
			resource := "deployments"
			switch step.Object.(type) {
			case *appsv1.StatefulSet:
				resource = "statefulsets"
			case *appsv1.DaemonSet:
				resource = "daemonsets"
			}
			return []access{{Verb: "watch", Group: "apps", Resource: resource, Name: objectName(step.Object)}}
		case plans.EndpointsSelected:
			return []access{
				{Verb: "list", Resource: "pods"},
				{Verb: "list", Group: "discovery.k8s.io", Resource: "endpointslices"},
				{Verb: "watch", Group: "discovery.k8s.io", Resource: "endpointslices"},
			}
		case plans.NodesReady:
			return []access{{Verb: "list", Resource: "pods"}, {Verb: "watch", Resource: "pods"}}
		case plans.EndpointsReady:
			return []access{
				{Verb: "list", Group: "discovery.k8s.io", Resource: "endpointslices"},
				{Verb: "watch", Group: "discovery.k8s.io", Resource: "endpointslices"},
			}
		}
		return nil
	}
	res, err := ResourceOf(step.Object)
	if err != nil {
		return nil // Write refuses it before any request
	}
	name := objectName(step.Object)
	if step.Action == plans.Create {
		name = ""
	}
	return []access{{Verb: string(step.Action), Group: res.Group, Resource: res.Plural, Name: name}}
}

func objectName(obj runtime.Object) string {
	if accessor, err := meta.Accessor(obj); err == nil {
		return accessor.GetName()
	}
	return ""
}

// allowed evaluates a as the RBAC authorizer does against rules: "*"
// matches any verb, group or resource; a rule naming objects only matches
// a request for one of them, so never a create. An access whose object name
// is not known passes such a rule: the check must not refuse what the server
// may allow.
func allowed(rules []authorizationv1.ResourceRule, a access) bool {
	for _, r := range rules {
		if !matches(r.Verbs, a.Verb) || !matches(r.APIGroups, a.Group) || !matches(r.Resources, a.Resource) {
			continue
		}
		if len(r.ResourceNames) == 0 || (a.Verb != "create" && (a.Name == "" || slices.Contains(r.ResourceNames, a.Name))) {
			return true
		}
	}
	return false
}

func matches(values []string, want string) bool {
	return slices.Contains(values, "*") || slices.Contains(values, want)
}

// WhoAmI asks the API server who the user is, as it authenticated them (and
// as they impersonate): one SelfSubjectReview. It returns "" when the
// server cannot say.
func (c *Client) WhoAmI(ctx context.Context) string {
	var review authenticationv1.SelfSubjectReview
	err := c.authentication.Post().Resource("selfsubjectreviews").
		Body(&authenticationv1.SelfSubjectReview{}).Do(ctx).Into(&review)
	if err != nil {
		// An API server that does not answer who the user is (before
		// Kubernetes 1.28, or forbidden): the identity asked for with --as,
		// if any.
		return c.config.Impersonate.UserName
	}
	return review.Status.UserInfo.Username
}
