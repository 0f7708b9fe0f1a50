package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// The role of deploy/rbac/role.yaml, as a SelfSubjectRulesReview lists it.
var shipRules = []authorizationv1.ResourceRule{
	{Verbs: []string{"get", "list", "watch", "create", "patch", "delete"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
	{Verbs: []string{"get", "list", "create", "patch", "delete"}, APIGroups: []string{""}, Resources: []string{"services"}},
	{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	{Verbs: []string{"list", "watch"}, APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}},
	{Verbs: []string{"get", "create", "update", "watch"}, APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}},
}

// promotePlan has every kind of step: a patch and a wait on a Deployment, a
// delete, a Service patch and a wait on its endpoints.
var promotePlan = plans.Plan{Steps: []plans.Step{
	{Action: plans.Patch, Object: fixture.NewDeployment("web").V()},
	{Action: plans.Wait, Object: fixture.NewDeployment("web").V(), Until: plans.RolledOut},
	{Action: plans.Delete, Object: fixture.NewDeployment("web-canary").V()},
	{Action: plans.Create, Object: fixture.NewDeployment("web-canary").V()},
	{Action: plans.Patch, Object: fixture.NewService("web").V()},
	{Action: plans.Wait, Object: fixture.NewService("web").V(), Until: plans.EndpointsSelected},
	{Action: plans.Stay},
}}

func TestPlanAccessListsEveryRequestOnce(t *testing.T) {
	var got []string
	for _, a := range planAccess(promotePlan, plans.Needs{Revisions: true}, "kubectl-ship-web") {
		got = append(got, a.String()+" "+a.Name)
	}
	want := []string{
		`"patch" on deployments.apps web`,
		`"watch" on deployments.apps web`,
		`"delete" on deployments.apps web-canary`,
		`"create" on deployments.apps `,
		`"patch" on services web`,
		`"list" on pods `,
		`"list" on endpointslices.discovery.k8s.io `,
		`"watch" on endpointslices.discovery.k8s.io `,
		`"list" on replicasets.apps `,
		`"get" on leases.coordination.k8s.io kubectl-ship-web`,
		`"create" on leases.coordination.k8s.io `,
		`"update" on leases.coordination.k8s.io kubectl-ship-web`,
		`"watch" on leases.coordination.k8s.io kubectl-ship-web`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAllowed(t *testing.T) {
	patchWeb := access{Verb: "patch", Group: "apps", Resource: "deployments", Name: "web"}
	tests := []struct {
		name  string
		rules []authorizationv1.ResourceRule
		a     access
		want  bool
	}{
		{"ship's role", shipRules, patchWeb, true},
		{"no rules", nil, patchWeb, false},
		{"other verb", []authorizationv1.ResourceRule{{Verbs: []string{"get"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}}}, patchWeb, false},
		{"other group", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"extensions"}, Resources: []string{"deployments"}}}, patchWeb, false},
		{"core group is not apps", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"deployments"}}}, patchWeb, false},
		{"subresource only", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments/scale"}}}, patchWeb, false},
		{"wildcard verb", []authorizationv1.ResourceRule{{Verbs: []string{"*"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}}}, patchWeb, true},
		{"wildcard group", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"*"}, Resources: []string{"deployments"}}}, patchWeb, true},
		{"wildcard resource", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"apps"}, Resources: []string{"*"}}}, patchWeb, true},
		{"cluster-admin", []authorizationv1.ResourceRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}, patchWeb, true},
		{"named object", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}}}, patchWeb, true},
		{"another named object", []authorizationv1.ResourceRule{{Verbs: []string{"patch"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"api"}}}, patchWeb, false},
		{"names never allow create", []authorizationv1.ResourceRule{{Verbs: []string{"create"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}}},
			access{Verb: "create", Group: "apps", Resource: "deployments"}, false},
		{"unknown name passes a named rule", []authorizationv1.ResourceRule{{Verbs: []string{"update"}, APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"kubectl-ship-web"}}},
			access{Verb: "update", Group: "coordination.k8s.io", Resource: "leases"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowed(tt.rules, tt.a); got != tt.want {
				t.Errorf("allowed(%s) = %v, want %v", tt.a, got, tt.want)
			}
		})
	}
}

// reviewServer answers SelfSubjectRulesReviews with status code and the
// review's status, and counts the requests.
func reviewServer(t *testing.T, code int, status authorizationv1.SubjectRulesReviewStatus) (*Client, *int) {
	t.Helper()
	requests := 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.Method != http.MethodPost || r.URL.Path != "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		}
		var review authorizationv1.SelfSubjectRulesReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Spec.Namespace != "shop" {
			t.Errorf("review for namespace %q (%v), want shop", review.Spec.Namespace, err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		if code != http.StatusOK {
			_ = json.NewEncoder(w).Encode(metav1.Status{Status: metav1.StatusFailure, Code: int32(code), Reason: metav1.StatusReasonForbidden, Message: "no"})
			return
		}
		review.Status = status
		_ = json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(server.Close)
	client, err := newClient(&rest.Config{Host: server.URL, ContentConfig: rest.ContentConfig{ContentType: "application/json"}}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	return client, &requests
}

func TestCheckAccess(t *testing.T) {
	withoutServicePatch := []authorizationv1.ResourceRule{}
	for _, r := range shipRules {
		if r.Resources[0] == "services" {
			r.Verbs = []string{"get", "list", "create", "delete"}
		}
		withoutServicePatch = append(withoutServicePatch, r)
	}
	tests := []struct {
		name   string
		code   int
		status authorizationv1.SubjectRulesReviewStatus
		needs  plans.Needs
		want   string
	}{
		{"allowed", http.StatusOK, authorizationv1.SubjectRulesReviewStatus{ResourceRules: shipRules}, plans.Needs{}, ""},
		{"missing", http.StatusOK, authorizationv1.SubjectRulesReviewStatus{ResourceRules: withoutServicePatch}, plans.Needs{},
			`forbidden: kubectl-ship needs "patch" on services in namespace shop (see deploy/rbac/role.yaml)`},
		{"what the planner reads to recover", http.StatusOK, authorizationv1.SubjectRulesReviewStatus{ResourceRules: shipRules}, plans.Needs{Revisions: true},
			`forbidden: kubectl-ship needs "list" on replicasets.apps in namespace shop (see deploy/rbac/role.yaml)`},
		{"incomplete rules are not judged", http.StatusOK, authorizationv1.SubjectRulesReviewStatus{Incomplete: true}, plans.Needs{}, ""},
		{"review forbidden", http.StatusForbidden, authorizationv1.SubjectRulesReviewStatus{}, plans.Needs{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, requests := reviewServer(t, tt.code, tt.status)
			err := client.CheckAccess(context.Background(), "shop", "web", promotePlan, tt.needs)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("error = %v, want %s", err, tt.want)
			}
			if *requests != 1 {
				t.Errorf("%d requests, want one review", *requests)
			}
		})
	}
}
