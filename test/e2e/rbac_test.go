//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// readRole reads one of the shipped RBAC manifests.
func readRole(t *testing.T, file string) *rbacv1.Role {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/rbac/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.Role
	if err := yaml.UnmarshalStrict(raw, &role); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &role
}

// forReleases is role with its Lease rule naming the locks of releases
// instead of the release of the shipped example.
func forReleases(role *rbacv1.Role, releases ...string) *rbacv1.Role {
	out := role.DeepCopy()
	for i, r := range out.Rules {
		if len(r.ResourceNames) > 0 {
			out.Rules[i].ResourceNames = nil
			for _, name := range releases {
				out.Rules[i].ResourceNames = append(out.Rules[i].ResourceNames, "kubectl-ship-"+name)
			}
		}
	}
	return out
}

// bindRole creates role (renamed) in ns and binds it to user.
func bindRole(t *testing.T, ns, user string, role *rbacv1.Role) {
	t.Helper()
	bindRoleIn(t, apiClient(t), ns, user, role)
}

// bindRoleIn is bindRole in the cluster c reaches.
func bindRoleIn(t *testing.T, c kubernetes.Interface, ns, user string, role *rbacv1.Role) {
	t.Helper()
	ctx := context.Background()
	role = role.DeepCopy()
	role.ObjectMeta = metav1.ObjectMeta{Name: user}
	if _, err := c.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: user},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	if _, err := c.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// without is role minus one verb on one resource.
func without(role *rbacv1.Role, group, resource, verb string) *rbacv1.Role {
	out := role.DeepCopy()
	out.Rules = nil
	for _, r := range role.Rules {
		if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) {
			r = *r.DeepCopy()
			r.Verbs = slices.DeleteFunc(r.Verbs, func(v string) bool { return v == verb })
		}
		if len(r.Verbs) > 0 {
			out.Rules = append(out.Rules, r)
		}
	}
	return out
}

// Every verb works as a user bound to nothing but deploy/rbac/role.yaml.
func TestRBACRoleIsEnough(t *testing.T) {
	ns := seedRelease(t, seed{})
	routedReleases(t, ns)
	bindRole(t, ns, "ship-user", forReleases(readRole(t, "role.yaml"), "ctwoc", "routed", "ingressed"))
	as := func(args ...string) []string { return append([]string{"--as", "ship-user"}, args...) }
	watcher := watchEndpoints(t, ns, "ctwoc")
	for _, args := range [][]string{
		{"status", "ctwoc"},
		{"list"},
		{"canary", "ctwoc", "--image", v2, "--weight", "25", "--sticky"},
		{"canary", "ctwoc", "--image", v2, "--weight", "50"},
		{"scale", "ctwoc", "--replicas", "4"},
		{"promote", "ctwoc"},
		{"canary", "ctwoc", "--image", v3},
		{"abort", "ctwoc"},
		{"set", "image", "ctwoc", v1, "--undo-on-failure"},
		{"history", "ctwoc"},
		{"bluegreen", "ctwoc", "--image", v3, "--preview-service"},
		{"bluegreen-switch", "ctwoc"},
		{"bluegreen-switch", "ctwoc", "--to", "blue"},
		{"bluegreen", "cleanup", "ctwoc"},
		{"bluegreen", "cleanup", "ctwoc", "--delete"},
		{"version"},
		// Through routes.
		{"canary", "routed", "--image", v2, "--weight", "5", "--header", "X-Canary=1"},
		{"status", "routed"},
		{"promote", "routed"},
		{"canary", "ingressed", "--image", v2, "--weight", "5", "--route", "ingress/ingressed"},
		{"canary", "ingressed", "--image", v2, "--weight", "50"},
		{"abort", "ingressed"},
	} {
		mustShip(t, ns, as(args...)...)
	}
	watcher.assertNeverDark(t)
	if res := ship(t, ns, as("list", "-A")...); res.code != 1 || !strings.Contains(res.stderr, "forbidden") {
		t.Errorf("list -A needs the ClusterRole: exit %d\n%s", res.code, res.stderr)
	}
	// The role reaches the release's own Lease, not the namespace's others
	// (a controller's leader election, or another release's record).
	leader := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "app-leader"}}
	if _, err := apiClient(t).CoordinationV1().Leases(ns).Create(context.Background(), leader, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, lease := range []string{"app-leader", "kubectl-ship-other"} {
		res := kubectl(t, "annotate", "lease", lease, "-n", ns, "--as", "ship-user", "forged=yes")
		if res.code == 0 || !strings.Contains(res.stderr, "forbidden") {
			t.Errorf("ship-user may change lease %s: exit %d %s", lease, res.code, res.stderr)
		}
	}
}

// list -A works as a user bound to deploy/rbac/clusterrole.yaml.
func TestRBACClusterRoleListsAllNamespaces(t *testing.T) {
	ns := seedRelease(t, seed{})
	ctx := context.Background()
	role := readRole(t, "clusterrole.yaml")
	clusterRole := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "kubectl-ship-e2e"}, Rules: role.Rules}
	if _, err := apiClient(t).RbacV1().ClusterRoles().Create(ctx, clusterRole, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = apiClient(t).RbacV1().ClusterRoles().Delete(ctx, clusterRole.Name, metav1.DeleteOptions{}) })
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubectl-ship-e2e"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ship-cluster-user"}},
	}
	if _, err := apiClient(t).RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = apiClient(t).RbacV1().ClusterRoleBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{})
	})
	res := mustShip(t, ns, "--as", "ship-cluster-user", "list", "-A")
	if !strings.Contains(res.stdout, ns) {
		t.Errorf("list -A should show the release of namespace %s:\n%s", ns, res.stdout)
	}
}

// rbacNeed is a command that needs one permission, and whether ship's own
// check refuses it (a write, a wait or the lock) or the API server (a read
// before any write).
type rbacNeed struct {
	args    []string
	checked bool
}

// needs names, for every permission of role.yaml, commands that need it.
// The test fails for a rule of the Role that is missing here.
var needs = map[string][]rbacNeed{
	"get deployments.apps":    {{args: []string{"history", "web"}}},
	"list deployments.apps":   {{args: []string{"canary", "web", "--image", v2}}, {args: []string{"list"}}},
	"watch deployments.apps":  {{args: []string{"canary", "web", "--image", v2}, checked: true}},
	"create deployments.apps": {{args: []string{"canary", "web", "--image", v2}, checked: true}},
	"patch deployments.apps": {{args: []string{"scale", "web", "--replicas", "2"}, checked: true},
		{args: []string{"promote", "canaried"}, checked: true}, {args: []string{"set", "image", "web", v2}, checked: true}},
	"delete deployments.apps": {{args: []string{"abort", "canaried"}, checked: true}},
	"list replicasets.apps": {{args: []string{"history", "web"}},
		{args: []string{"set", "image", "web", v2, "--undo-on-failure"}, checked: true}},
	"list services":   {{args: []string{"canary", "web", "--image", v2}}, {args: []string{"status", "web"}}},
	"create services": {{args: []string{"bluegreen", "web", "--image", v2, "--preview-service"}, checked: true}},
	"patch services": {{args: []string{"canary", "web", "--image", v2, "--sticky"}, checked: true},
		{args: []string{"bluegreen-switch", "bg"}, checked: true}},
	"delete services":                           {{args: []string{"bluegreen", "cleanup", "bg", "--delete"}, checked: true}},
	"list pods":                                 {{args: []string{"bluegreen-switch", "bg"}, checked: true}, {args: []string{"status", "web"}}},
	"list endpointslices.discovery.k8s.io":      {{args: []string{"bluegreen-switch", "bg"}, checked: true}, {args: []string{"status", "web"}}},
	"watch endpointslices.discovery.k8s.io":     {{args: []string{"bluegreen-switch", "bg"}, checked: true}},
	"get leases.coordination.k8s.io":            {{args: []string{"canary", "web", "--image", v2}, checked: true}},
	"create leases.coordination.k8s.io":         {{args: []string{"canary", "web", "--image", v2}, checked: true}},
	"update leases.coordination.k8s.io":         {{args: []string{"abort", "canaried"}, checked: true}},
	"watch leases.coordination.k8s.io":          {{args: []string{"bluegreen-switch", "bg", "--scale-down-delay", "1s"}, checked: true}},
	"list horizontalpodautoscalers.autoscaling": nil, // optional: only a warning needs it
	"create events":                             nil, // best effort: see TestRBACWithoutEvents
	"get services/proxy":                        nil, // only for --prometheus service/...: see TestPrometheusThroughServiceProxy
	"get configmaps":                            nil, // only for a policy's namespace default: see TestPolicyPrecedence
	"get secrets":                               nil, // only for notifications: see TestNotifySecretNeverShown
	// StatefulSets' releases only (TestStatefulSet*); list skips them when
	// it may not list them.
	"get statefulsets.apps":         nil,
	"list statefulsets.apps":        nil,
	"watch statefulsets.apps":       nil,
	"patch statefulsets.apps":       nil,
	"list controllerrevisions.apps": nil, // a StatefulSet's or DaemonSet's history: see TestStatefulSetHistory, TestDaemonSetHistory
	"delete pods":                   nil, // a StatefulSet's forced rollback: see TestStatefulSetForcedRollback
	// DaemonSets' releases only (TestDaemonSet*); list skips them when it
	// may not list them (TestDaemonSetList).
	"get daemonsets.apps":   nil,
	"list daemonsets.apps":  nil,
	"watch daemonsets.apps": nil,
	"patch daemonsets.apps": nil,
	// Routes: optional, see TestRBACWithoutRouteRules.
	"list httproutes.gateway.networking.k8s.io":      {{args: []string{"canary", "routed", "--image", v2, "--weight", "5", "--route", "httproute/routed"}}},
	"patch httproutes.gateway.networking.k8s.io":     {{args: []string{"canary", "routed", "--image", v2, "--weight", "5"}, checked: true}},
	"list referencegrants.gateway.networking.k8s.io": nil, // best effort
	"list ingresses.networking.k8s.io":               {{args: []string{"canary", "ingressed", "--image", v2, "--weight", "5", "--route", "ingress/ingressed"}}},
	"create ingresses.networking.k8s.io":             {{args: []string{"canary", "ingressed", "--image", v2, "--weight", "5", "--route", "ingress/ingressed"}, checked: true}},
	"patch ingresses.networking.k8s.io":              {{args: []string{"canary", "ingcanaried", "--image", v2, "--weight", "20"}, checked: true}},
	"delete ingresses.networking.k8s.io":             {{args: []string{"abort", "ingcanaried"}, checked: true}},
}

// routedReleases adds to ns a release behind an HTTPRoute (routed), one
// behind an Ingress (ingressed), and one with a canary through its Ingress
// (ingcanaried), each of one pod.
func routedReleases(t *testing.T, ns string) {
	t.Helper()
	apply(t, ns, deploymentAndService("routed", v1, 1)+"---\n"+httpRoute("routed", "routed"))
	for _, name := range []string{"ingressed", "ingcanaried"} {
		ing := strings.NewReplacer("ctwoc", name).Replace(trackService + "---\n" + userIngress)
		apply(t, ns, deployment(name, v1, 1)+"---\n"+ing)
	}
	for _, d := range []string{"routed", "ingressed", "ingcanaried"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=60s")
	}
	mustShip(t, ns, "canary", "ingcanaried", "--image", v2, "--weight", "10", "--route", "ingress/ingcanaried")
}

// Without the optional rules for routes, every verb works as before; a
// canary says it could not look for routes.
func TestRBACWithoutRouteRules(t *testing.T) {
	ns := seedRelease(t, seed{})
	apply(t, ns, httpRoute("ctwoc", "ctwoc"))
	role := readRole(t, "role.yaml")
	role = without(without(role, "gateway.networking.k8s.io", "httproutes", "list"), "gateway.networking.k8s.io", "httproutes", "patch")
	role = without(role, "gateway.networking.k8s.io", "referencegrants", "list")
	for _, verb := range []string{"list", "create", "patch", "delete"} {
		role = without(role, "networking.k8s.io", "ingresses", verb)
	}
	bindRole(t, ns, "ship-user-no-routes", role)
	as := func(args ...string) []string { return append([]string{"--as", "ship-user-no-routes"}, args...) }
	res := mustShip(t, ns, as("canary", "ctwoc", "--image", v2, "--weight", "25")...)
	if !strings.Contains(res.stderr, "kubectl-ship may not list httproutes in namespace "+ns+", so the canary takes its share of the pods") {
		t.Errorf("the canary should say it could not look for routes:\n%s", res.stderr)
	}
	mustShip(t, ns, as("status", "ctwoc")...)
	mustShip(t, ns, as("list")...)
	mustShip(t, ns, as("promote", "ctwoc")...)
}

// Without any one permission of the Role, every command that needs it
// fails before its first write with one line naming what is missing, and
// the namespace is left exactly as it was.
func TestRBACEachPermissionIsNeeded(t *testing.T) {
	ns := namespace(t)
	apply(t, ns, deploymentAndService("web", v1, 1))
	apply(t, ns, deploymentAndService("canaried", v1, 1))
	apply(t, ns, strings.Replace(deploymentAndService("bg", v1, 1), "track: stable", "track: stable\n        version: 1.0.0", 1))
	for _, d := range []string{"web", "canaried", "bg"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=60s")
	}
	mustShip(t, ns, "canary", "canaried", "--image", v2)
	mustShip(t, ns, "bluegreen", "bg", "--image", v2, "--preview-service")
	routedReleases(t, ns)
	before := settledSnapshot(t, ns)

	role := forReleases(readRole(t, "role.yaml"), "web", "canaried", "bg", "routed", "ingressed", "ingcanaried")
	cases := 0
	for _, rule := range role.Rules {
		for _, resource := range rule.Resources {
			for _, verb := range rule.Verbs {
				group := rule.APIGroups[0]
				qualified := resource
				if group != "" {
					qualified += "." + group
				}
				key := verb + " " + qualified
				commands, ok := needs[key]
				if !ok {
					t.Errorf("role.yaml grants %s, but no command here needs it: add one to needs", key)
					continue
				}
				if commands == nil {
					continue // optional: TestRBACWithoutEvents shows every verb works without it
				}
				user := fmt.Sprintf("ship-user-%d", cases)
				cases++
				t.Run("without "+key, func(t *testing.T) {
					bindRole(t, ns, user, without(role, group, resource, verb))
					for _, need := range commands {
						want := fmt.Sprintf(`cannot %s resource "%s"`, verb, resource)
						if need.checked {
							want = fmt.Sprintf("forbidden: kubectl-ship needs %q on %s in namespace %s (see deploy/rbac/role.yaml)", verb, qualified, ns)
						}
						// The plan's notes (the weight, the restart of blue)
						// may come first: the check runs once the plan is made.
						res := ship(t, ns, append([]string{"--as", user}, need.args...)...)
						lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
						last := lines[len(lines)-1]
						if res.code != 1 || strings.Count(res.stderr, "error: ") != 1 || !strings.HasPrefix(last, "error: ") || !strings.Contains(last, want) {
							t.Errorf("kubectl ship %s: want exit 1 and the line 'error: ...%s...' last; got exit %d:\n%s",
								strings.Join(need.args, " "), want, res.code, res.stderr)
						}
						if res.stdout != "" {
							t.Errorf("kubectl ship %s: stdout should be empty, got %q", strings.Join(need.args, " "), res.stdout)
						}
						if after := settledSnapshot(t, ns); after != before {
							t.Errorf("kubectl ship %s changed namespace %s:\nbefore:\n%s\nafter:\n%s", strings.Join(need.args, " "), ns, before, after)
						}
					}
				})
			}
		}
	}
	t.Logf("%d permissions of role.yaml removed one at a time", cases)
}

// Events only record what ship did: without them every verb still works.
func TestRBACWithoutEvents(t *testing.T) {
	ns := seedRelease(t, seed{})
	bindRole(t, ns, "ship-user-no-events", without(readRole(t, "role.yaml"), "", "events", "create"))
	mustShip(t, ns, "--as", "ship-user-no-events", "canary", "ctwoc", "--image", v2)
	mustShip(t, ns, "--as", "ship-user-no-events", "abort", "ctwoc")
}
