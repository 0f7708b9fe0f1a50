//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// Every wrong input gets one clear error line, a non-zero exit, nothing on
// stdout, and leaves the namespace exactly as it was.
func TestCanaryBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	apply(t, ns, deployment("lonely", v1, 1)+"---\n"+service("other", "nothing"))
	apply(t, ns, deploymentAndService("twins", v1, 1)+"---\n"+service("twins-2", "twins"))
	apply(t, ns, deploymentAndService("paused", v1, 1))
	mustShip(t, ns, "canary", "paused", "--image", v2)
	mustKubectl(t, "rollout", "pause", "-n", ns, "deployment/paused")

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing deployment", []string{"canary", "nope", "--image", v2}, "deployment nope not found"},
		{"no service selects it", []string{"canary", "lonely", "--image", v2}, "no service selects the pods of deployment lonely"},
		{"service that does not select it", []string{"canary", "ctwoc", "--image", v2, "--service", "other"}, "service other (selector app=nothing) does not select"},
		{"missing service", []string{"canary", "ctwoc", "--image", v2, "--service", "nope"}, "service nope not found"},
		{"ambiguous services", []string{"canary", "twins", "--image", v2}, "services twins, twins-2 all select"},
		{"no image", []string{"canary", "ctwoc"}, "--image: no image given"},
		{"malformed image", []string{"canary", "ctwoc", "--image", "Bad Image!"}, "not a valid image reference"},
		{"unknown container", []string{"canary", "ctwoc", "--image", "sidecar=" + v2}, `container "sidecar" not found`},
		{"same image as stable", []string{"canary", "ctwoc", "--image", v1}, "already runs"},
		{"weight zero", []string{"canary", "ctwoc", "--image", v2, "--weight", "0"}, "--weight must be between 1 and 99"},
		{"weight 100", []string{"canary", "ctwoc", "--image", v2, "--weight", "100"}, "--weight must be between 1 and 99"},
		{"weight and replicas", []string{"canary", "ctwoc", "--image", v2, "--weight", "25", "--replicas", "1"}, "not both"},
		{"negative replicas", []string{"canary", "ctwoc", "--image", v2, "--replicas", "-1"}, "--replicas must be at least 1"},
		{"weight not reachable exactly", []string{"canary", "ctwoc", "--image", v2, "--weight", "10", "--exact"}, "--exact: weight 10% cannot be reached"},
		{"canary on another image", []string{"canary", "paused", "--image", "example/ctwoc:3.0.0"}, "pass --replace"},
		{"promote with no canary", []string{"promote", "ctwoc"}, "no canary to promote"},
		{"promote a paused deployment", []string{"promote", "paused"}, "kubectl rollout resume deployment/paused"},
		{"bad dry-run", []string{"canary", "ctwoc", "--image", v2, "--dry-run=maybe"}, "--dry-run must be"},
		{"bad output", []string{"canary", "ctwoc", "--image", v2, "-o", "toml"}, "unable to match a printer"},
		{"name a canary instead of its release", []string{"promote", "paused-canary"}, "name the release, paused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, ns, 1, tc.want, tc.args...) })
	}
}

// assertRefused runs kubectl ship with args and checks that it refused as
// every wrong input must: exit code (1, or a verb's own: status exits 3 for a
// release that does not exist), one line on stderr, "error: " and what was
// wrong (want), nothing on stdout, and the namespace left unchanged.
func assertRefused(t *testing.T, ns string, code int, want string, args ...string) {
	t.Helper()
	before := settledSnapshot(t, ns)
	res := ship(t, ns, args...)
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != code || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], want) {
		t.Errorf("kubectl ship %s: want exit %d and one line 'error: ...%s...'; got exit %d:\n%s",
			strings.Join(args, " "), code, want, res.code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout should be empty, got %q", res.stdout)
	}
	assertUnchanged(t, ns, before)
}
