package kube

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// RoleFile is the minimal Role kubectl-ship needs, shipped in the repository.
const RoleFile = "deploy/rbac/role.yaml"

// Access is one request a plan will make: a verb on a resource of an API
// group, on the object Name when known ("" for create, or unknown).
type Access struct {
	Verb, Group, Resource, Name string
}

// String names the resource as kubectl auth can-i does: "deployments.apps".
func (a Access) String() string {
	if a.Group == "" {
		return fmt.Sprintf("%q on %s", a.Verb, a.Resource)
	}
	return fmt.Sprintf("%q on %s.%s", a.Verb, a.Resource, a.Group)
}

// CheckAccess asks the API server, in one SelfSubjectRulesReview, what the
// user may do in the namespace, and refuses p before its first write when a
// step, a wait, the release's lock, or one of also (what the command may do
// after the plan) would be forbidden: a refusal halfway would leave the
// release between two states. When the server cannot list the rules
// completely (an authorizer other than RBAC) or forbids the review, the
// check is skipped: the server still enforces every request.
func (c *Client) CheckAccess(ctx context.Context, p strategy.Plan, also ...Access) error {
	review, err := c.selfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{
		Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: c.Namespace},
	}, metav1.CreateOptions{})
	switch {
	case apierrors.IsForbidden(err), apierrors.IsNotFound(err), apierrors.IsMethodNotSupported(err):
		return nil
	case err != nil:
		return err
	case review.Status.Incomplete:
		return nil
	}
	for _, need := range append(PlanAccess(p), also...) {
		if !Allowed(review.Status.ResourceRules, need) {
			return fmt.Errorf("forbidden: kubectl-ship needs %s in namespace %s (see %s)", need, c.Namespace, RoleFile)
		}
	}
	return nil
}

// leaseAccess is what the release's lock needs (Lock, Lock.Release): its
// Lease is read, created the first time, and updated to take and free it.
// The Event that records an operation is best effort, so not required here.
var leaseAccess = []Access{
	{Verb: "get", Group: "coordination.k8s.io", Resource: "leases"},
	{Verb: "create", Group: "coordination.k8s.io", Resource: "leases"},
	{Verb: "update", Group: "coordination.k8s.io", Resource: "leases"},
}

// PlanAccess lists, in order and once each, the requests carrying out p
// makes: every write, the watches and lists of its waits, and the lock.
func PlanAccess(p strategy.Plan) []Access {
	var needs []Access
	add := func(as ...Access) {
		for _, a := range as {
			if !slices.Contains(needs, a) {
				needs = append(needs, a)
			}
		}
	}
	for _, step := range p.Steps {
		add(stepAccess(step)...)
	}
	add(leaseAccess...)
	return needs
}

func stepAccess(step strategy.Step) []Access {
	name := ""
	if accessor, err := meta.Accessor(step.Object); err == nil && step.Action != strategy.Create {
		name = accessor.GetName()
	}
	switch step.Object.(type) {
	case *appsv1.Deployment:
		if step.Action == strategy.Wait {
			return []Access{{Verb: "watch", Group: "apps", Resource: "deployments", Name: name}}
		}
		return []Access{{Verb: string(step.Action), Group: "apps", Resource: "deployments", Name: name}}
	case *corev1.Service:
		if step.Action == strategy.Wait { // WaitForEndpoints
			return []Access{
				{Verb: "list", Resource: "pods"},
				{Verb: "list", Group: "discovery.k8s.io", Resource: "endpointslices"},
				{Verb: "watch", Group: "discovery.k8s.io", Resource: "endpointslices"},
			}
		}
		return []Access{{Verb: string(step.Action), Resource: "services", Name: name}}
	}
	return nil
}

// Allowed evaluates a as the RBAC authorizer does against rules: "*"
// matches any verb, group or resource; a rule naming objects only matches
// a request for one of them, so never a create. An access whose object name
// is not known passes such a rule: the check must not refuse what the server
// may allow.
func Allowed(rules []authorizationv1.ResourceRule, a Access) bool {
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
