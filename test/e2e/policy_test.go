//go:build e2e

package e2e

import (
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// policyDoc is a ReleasePolicy document with spec, given as YAML lines.
func policyDoc(spec ...string) string {
	return "apiVersion: kubectl-ship.dev/v1alpha1\nkind: ReleasePolicy\nspec:\n  " + strings.Join(spec, "\n  ") + "\n"
}

// annotatePolicy gives the release's Deployment the policy doc, as its
// manifest in Git would carry it.
func annotatePolicy(t *testing.T, ns, doc string) {
	t.Helper()
	mustKubectl(t, "annotate", "deployment", "ctwoc", "-n", ns, "--overwrite", "kubectl-ship.dev/policy="+doc)
}

// namespaceDefault creates the ConfigMap name holding doc, and has the
// release's Deployment name it.
func namespaceDefault(t *testing.T, ns, name, doc string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"policy.yaml": doc}}
	if _, err := apiClient(t).CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mustKubectl(t, "annotate", "deployment", "ctwoc", "-n", ns, "--overwrite", "kubectl-ship.dev/policy-defaults="+name)
}

// writeFile writes content to a file of the test's own and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Flags over --policy over the Deployment's policy over the namespace
// default, field by field: `policy` says where each value comes from, its
// -o yaml is a document --policy takes back, and `canary NAME --image` runs
// the whole effective policy.
func TestPolicyPrecedence(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	namespaceDefault(t, ns, "team-release", policyDoc("steps: [10, 20]", "interval: 9s", "checkEvery: 1s", "readyGrace: 7s", "failureLimit: 3"))
	annotatePolicy(t, ns, policyDoc("steps: [25, 50]", "interval: 8s"))
	file := writeFile(t, "policy.yaml", policyDoc("interval: 3s", "inconclusiveLimit: 5"))

	text := strings.Join(strings.Fields(mustShip(t, ns, "policy", "ctwoc", "--policy", file).stdout), " ")
	for _, want := range []string{
		"steps 25,50 deployment/ctwoc",
		"interval 3s --policy " + file,
		"checkEvery 1s configmap/team-release (namespace default)",
		"readyGrace 7s configmap/team-release (namespace default)",
		"failureLimit 3 configmap/team-release (namespace default)",
		"inconclusiveLimit 5 --policy " + file,
		"onFailure abort default",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("policy does not show %q:\n%s", want, text)
		}
	}

	// The effective policy, printed, is a document --policy takes back,
	// with the same effect.
	effective := writeFile(t, "effective.yaml", mustShip(t, ns, "policy", "ctwoc", "--policy", file, "-o", "yaml").stdout)
	mustShip(t, ns, "policy", "validate", "-f", effective)
	again := mustShip(t, ns, "policy", "ctwoc", "--policy", effective, "-o", "yaml").stdout
	if first := mustShip(t, ns, "policy", "ctwoc", "--policy", file, "-o", "yaml").stdout; again != first {
		t.Errorf("the effective policy re-applied differs:\n%s\nfirst:\n%s", again, first)
	}

	// A typed flag goes over all of them; the schedule says what runs.
	dry := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--policy", file, "--check-every", "2s", "--dry-run=client")
	if !strings.Contains(dry.stderr, "progression: 1 25% (1 canary pod) held 3s; 2 50% (3 canary pods) held 3s; then promote") ||
		!strings.Contains(dry.stderr, "every 2s, gate pods (built in)") {
		t.Errorf("the dry run does not follow the effective policy:\n%s", dry.stderr)
	}
	// --weight makes a one-off canary: the policy's steps do not apply.
	if dry := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--dry-run=client"); strings.Contains(dry.stderr, "progression") {
		t.Errorf("--weight should mask the policy's steps:\n%s", dry.stderr)
	}

	// The whole policy runs: its steps, each held, then the promotion.
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--policy", file)
	for _, want := range []string{"holding step 1 of 2 (25%) for 3s, checking 2 gates every 1s", "holding step 2 of 2 (50%) for 3s", "deployment.apps/ctwoc promoted"} {
		if !strings.Contains(res.stderr+res.stdout, want) {
			t.Errorf("the run does not show %q:\n%s%s", want, res.stdout, res.stderr)
		}
	}
	settledState(t, ns, "map["+v2+":3]")
}

// Every field of a policy a user can get wrong is refused with one line
// naming it, before any request that writes: by policy validate, in
// --policy, in the Deployment's annotation and in a namespace default.
func TestPolicyInvalidFieldsChangeNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	cases := []struct{ spec, want string }{
		{"stpes: [10]", "spec.stpes: unknown field"},
		{"steps: [10, paus]", `spec.steps[1]: "paus" is neither a weight in percent nor pause`},
		{"steps: [50, 10]", "spec.steps: \"50,10\": the weights must increase"},
		{"steps: [pause, 10]", `spec.steps: "pause,10" starts with pause`},
		{"steps: 10", "spec.steps: want a list"},
		{"strategy: rolling", `spec.strategy: want canary or blueGreen, not "rolling"`},
		{"interval: 10", "spec.interval: want a string"},
		{"interval: ten", `spec.interval: "ten" is not a duration`},
		{"checkEvery: 100ms", "spec.checkEvery: must be at least 1s"},
		{"readyGrace: -1s", "spec.readyGrace: must be at least 0s"},
		{"failureLimit: -1", "spec.failureLimit: must not be negative"},
		{"inconclusiveLimit: 0", "spec.inconclusiveLimit: must be at least 1"},
		{"prometheus: ftp://x", "spec.prometheus:"},
		{"analyses: ['up']", "spec.analyses[0]:"},
		{"webhooks: ['not a url']", "spec.webhooks[0]:"},
		{"route: grpcroute/x", "spec.route:"},
		{"weightTotal: 0", "spec.weightTotal: must be between 1 and 1000000"},
		{"header: X-Canary", "spec.header:"},
		{"cookie: a=b", "spec.cookie:"},
		{"stickySeconds: 0", "spec.stickySeconds:"},
		{"waves: [[]]", "spec.waves[0]: empty"},
		{"onFailure: retry", `spec.onFailure: want "abort" or "stop"`},
		{"soak: forever", "spec.soak:"},
		{"scaleDownDelay: 1x", "spec.scaleDownDelay:"},
		{"verifyFor: soon", "spec.verifyFor:"},
		{"notify: [{format: teams, urlFrom: {env: X}}]", "spec.notify[0].format: want slack or cloudevents"},
		{"notify: [{format: slack, urlFrom: {}}]", "spec.notify[0].urlFrom: give secretKeyRef"},
		{"notify: [{format: slack, urlFrom: {env: X}, events: [deployed]}]", `spec.notify[0].events[0]: "deployed" is not an event`},
		{"notify: [{format: slack, url: 'https://hooks.example/x'}]", "spec.notify[0].url: unknown field"},
	}
	before := settledSnapshot(t, ns)
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			file := writeFile(t, "policy.yaml", policyDoc(tc.spec))
			refusedLine(t, ship(t, ns, "policy", "validate", "-f", file), file+": "+tc.want)
			refusedLine(t, ship(t, ns, "canary", "ctwoc", "--image", v2, "--policy", file), "--policy "+file+": "+tc.want)
			assertUnchanged(t, ns, before)
		})
	}
	t.Run("wrong version", func(t *testing.T) {
		file := writeFile(t, "policy.yaml", strings.Replace(policyDoc("interval: 5s"), "v1alpha1", "v1", 1))
		refusedLine(t, ship(t, ns, "canary", "ctwoc", "--image", v2, "--policy", file), "apiVersion: want kubectl-ship.dev/v1alpha1")
		assertUnchanged(t, ns, before)
	})
	// In the cluster, as in a file.
	for _, tc := range cases[:3] {
		t.Run("annotation "+tc.spec, func(t *testing.T) {
			annotatePolicy(t, ns, policyDoc(tc.spec))
			assertRefused(t, ns, 1, "deployment ctwoc: annotation kubectl-ship.dev/policy: "+tc.want, "canary", "ctwoc", "--image", v2)
			assertRefused(t, ns, 1, tc.want, "policy", "ctwoc")
		})
	}
	annotatePolicy(t, ns, policyDoc("interval: 5s"))
	t.Run("namespace default", func(t *testing.T) {
		namespaceDefault(t, ns, "team", policyDoc("failureLimit: many"))
		assertRefused(t, ns, 1, "configmap team: policy.yaml: spec.failureLimit: want a whole number", "canary", "ctwoc", "--image", v2)
	})
	t.Run("namespace default missing", func(t *testing.T) {
		mustKubectl(t, "annotate", "deployment", "ctwoc", "-n", ns, "--overwrite", "kubectl-ship.dev/policy-defaults=nowhere")
		assertRefused(t, ns, 1, "configmap nowhere not found", "canary", "ctwoc", "--image", v2)
	})
	t.Run("merged with the flags", func(t *testing.T) {
		mustKubectl(t, "annotate", "deployment", "ctwoc", "-n", ns, "kubectl-ship.dev/policy-defaults-")
		annotatePolicy(t, ns, policyDoc("steps: [25, 50]", "interval: 5s"))
		assertRefused(t, ns, 1, "with the release policy of deployment/ctwoc: --interval (5s) must be at least --check-every (10s)", "canary", "ctwoc", "--image", v2)
	})
}

// refusedLine checks that a command refused with one line, exit 1, naming
// what want says, and printed nothing on stdout.
func refusedLine(t *testing.T, res result, want string) {
	t.Helper()
	if res.code != 1 || res.stdout != "" || !strings.HasPrefix(res.stderr, "error: ") || strings.Count(res.stderr, "\n") != 1 ||
		!strings.Contains(res.stderr, want) {
		t.Errorf("want exit 1 and one line naming %q; got exit %d\nstdout: %s\nstderr: %s", want, res.code, res.stdout, res.stderr)
	}
}

// A GitOps tool applies the Deployment's manifest, policy included; ship
// never writes that policy, so a re-apply finds no drift in what ship
// wrote, and the policy stays readable while a release is under way.
func TestPolicyGitOpsReapply(t *testing.T) {
	ns := namespace(t)
	doc := policyDoc("steps: [25, pause, 50]", "interval: 2s", "checkEvery: 1s", "readyGrace: 3s")
	manifest := strings.Replace(deploymentAndService("ctwoc", v1, 3), "metadata:\n  name: ctwoc\nspec:\n  replicas",
		"metadata:\n  name: ctwoc\n  annotations:\n    kubectl-ship.dev/policy: |\n      "+strings.ReplaceAll(strings.TrimSpace(doc), "\n", "\n      ")+"\nspec:\n  replicas", 1)
	file := writeFile(t, "ctwoc.yaml", manifest)
	gitops := []string{"-n", ns, "-f", file, "--server-side", "--field-manager", "gitops"}
	mustKubectl(t, append([]string{"apply"}, gitops...)...)
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")

	run := startIn(t, ns, []string{"ship", "canary", "ctwoc", "--image", v2})
	eventually(t, "the pause", func() (bool, string) {
		st := shipStatus(t, ns, "ctwoc")
		return st.Progression.Phase == "Paused", st.Progression.Phase
	})
	if res := kubectl(t, append([]string{"diff"}, gitops...)...); res.code != 0 {
		t.Errorf("the manifest drifted while the release is under way: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	mustKubectl(t, append([]string{"apply"}, gitops...)...)
	if text := mustShip(t, ns, "policy", "ctwoc").stdout; !strings.Contains(text, "steps               25,pause,50   deployment/ctwoc") {
		t.Errorf("the policy is not readable after the re-apply:\n%s", text)
	}
	owners := mustKubectl(t, "get", "deployment", "ctwoc", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")
	if strings.Contains(owners, "kubectl-ship") {
		t.Errorf("ship wrote the stable Deployment: managers %s", owners)
	}
	mustShip(t, ns, "approve", "ctwoc")
	if res := run.wait(t); res.code != 0 {
		t.Errorf("the progression: exit %d\n%s", res.code, res.stderr)
	}
}

// A policy of strategy blueGreen is followed by bluegreen-switch (here its
// verification and notifications) and refused by canary; a canary's
// policy is not followed by a switch.
func TestPolicyBlueGreen(t *testing.T) {
	ns := seedRelease(t, seed{versioned: true})
	events := newReceiver(t, http.StatusOK, 0)
	notifySecret(t, ns, map[string]string{"events": events.url()})
	annotatePolicy(t, ns, policyDoc("strategy: blueGreen", "verifyFor: 3s", "checkEvery: 1s",
		"notify: [{format: cloudevents, urlFrom: {secretKeyRef: {name: ship-notify, key: events}}}]"))
	assertRefused(t, ns, 1, "the release policy of deployment/ctwoc says strategy blueGreen, and 'kubectl ship canary' follows a policy of strategy canary",
		"canary", "ctwoc", "--image", v2)
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	res := mustShip(t, ns, "bluegreen-switch", "ctwoc")
	if !strings.Contains(res.stderr, "holding") || !strings.Contains(res.stderr, "for 3s, checking 2 gates every 1s") {
		t.Errorf("the switch does not follow the policy's verification:\n%s", res.stderr)
	}
	if got := eventTypes(events.cloudEvents(t)); got != "started stepReached promoted" {
		t.Errorf("events %q", got)
	}
	annotatePolicy(t, ns, policyDoc("steps: [10, pause, 50]"))
	res = mustShip(t, ns, "bluegreen-switch", "ctwoc", "--to", "blue")
	if !strings.Contains(res.stderr, "note: the release policy of deployment/ctwoc is for canaries: bluegreen-switch follows its flags alone") {
		t.Errorf("a canary's policy by a switch:\n%s", res.stderr)
	}
}

// Reading the Deployment's policy costs no request: the command reads the
// Deployment anyway. A namespace default costs one GET, a notification's
// Secret one more; the notifications go to their receivers, not the API
// server.
func TestPolicyRequestBudgets(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	canary := []string{"canary", "ctwoc", "--image", v2, "--weight", "25"}
	// As TestRequestBudgets: the first creates the release's Lease, the
	// next ones update it.
	created := requestBudget{"GET": 1, "LIST": 5, "POST": 5, "PUT": 1, "WATCH": 1}
	again := requestBudget{"GET": 1, "LIST": 5, "POST": 4, "PUT": 2, "WATCH": 1}
	aborted := requestBudget{"GET": 1, "LIST": 2, "POST": 3, "PUT": 2, "DELETE": 1}
	events := newReceiver(t, http.StatusOK, 0)
	notifySecret(t, ns, map[string]string{"events": events.url()})
	steps := []struct {
		name   string
		setup  func()
		args   []string
		budget requestBudget
	}{
		{"the Deployment's policy", func() { annotatePolicy(t, ns, policyDoc("checkEvery: 5s", "readyGrace: 2m")) }, canary, created},
		{"abort", nil, []string{"abort", "ctwoc"}, aborted},
		{"policy", nil, []string{"policy", "ctwoc"}, requestBudget{"GET": 1}},
		{"a namespace default", func() { namespaceDefault(t, ns, "team", policyDoc("failureLimit: 1")) }, canary, plus(again, "GET", 1)},
		{"abort again", nil, []string{"abort", "ctwoc"}, aborted},
		{"policy with the default", nil, []string{"policy", "ctwoc"}, requestBudget{"GET": 2}},
		{"notifications", func() {
			annotatePolicy(t, ns, policyDoc("notify: [{format: cloudevents, urlFrom: {secretKeyRef: {name: ship-notify, key: events}}}]"))
		}, canary, plus(again, "GET", 2)},
	}
	for _, step := range steps {
		if step.setup != nil {
			step.setup()
		}
		res := mustShip(t, ns, append([]string{"-v=6"}, step.args...)...)
		requests := requestlog.Parse(res.stderr, ns)
		if off := offBudget(requests, step.budget); off != "" {
			t.Errorf("%s: %s\nkubectl ship %s made these requests:\n%s", step.name, off, strings.Join(step.args, " "), requestlog.Format(requests))
		}
	}
	if got := eventTypes(events.cloudEvents(t)); got != "started" {
		t.Errorf("events %q", got)
	}
}

// plus is budget with n more requests of kind.
func plus(budget requestBudget, kind string, n int) requestBudget {
	out := maps.Clone(budget)
	out[kind] += n
	return out
}
