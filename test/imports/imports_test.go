// Package imports checks what the kubectl-ship binary links. Every package in
// the import graph runs its init before main and adds to the binary, so start-up
// time and size are decided here; the test fails when a package that is known
// to be costly, or that a plugin has no business with, enters the graph.
package imports

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const mainPackage = "github.com/kubectl-ship/kubectl-ship/cmd/kubectl-ship"

// forbidden lists package path prefixes that must stay out of the graph, and why.
var forbidden = []struct{ prefix, why string }{
	{"k8s.io/kubectl/pkg/cmd", "kubectl's command packages call i18n.T at package level, which loads the translation catalog at start-up; cmd/util alone adds about 23 MB"},
	{"k8s.io/kubectl/pkg/util/i18n", "loading the translation catalog costs about 15 ms of start-up"},
	{"k8s.io/kubectl/pkg/describe", "the describers import every API group's client and kubectl's command utilities"},
	{"k8s.io/kubectl/pkg/polymorphichelpers", "imports k8s.io/kubectl/pkg/cmd/util and pkg/describe; ship has its own rollout status"},
	{"cloud.google.com", "a cloud SDK"},
	{"github.com/Azure", "a cloud SDK"},
	{"github.com/aws", "a cloud SDK"},
	{"k8s.io/client-go/plugin/pkg/client/auth", "the in-tree auth providers; kubeconfig exec credentials need only auth/exec, which client-go's rest package imports itself"},
	{"k8s.io/client-go/kubernetes/typed", "the generated typed clients bring every resource's apply configurations, about 2 MB; pkg/kube builds its clients with gentype"},
	{"k8s.io/client-go/applyconfigurations", "about 2 MB of apply configurations; ship patches with strategic merge"},
	{"k8s.io/apiserver", "server-side code"},
	{"k8s.io/kubernetes", "server-side code"},
}

// allowed are packages under a forbidden prefix that are not what it forbids.
var allowed = map[string]string{
	"k8s.io/client-go/plugin/pkg/client/auth/exec": "exec credential plugins, built into client-go's transport",
	"github.com/Azure/go-ansiterm":                 "Windows console handling (moby/term), not a cloud SDK",
	"github.com/Azure/go-ansiterm/winterm":         "Windows console handling (moby/term), not a cloud SDK",
}

// The platforms kubectl-ship is released for: some imports are per-platform.
var platforms = []string{"linux", "darwin", "windows"}

func TestNoForbiddenImports(t *testing.T) {
	for _, goos := range platforms {
		t.Run(goos, func(t *testing.T) {
			graph := importGraph(t, goos)
			for pkg := range graph {
				if rule, ok := forbiddenRule(pkg); ok {
					t.Errorf("%s is in the import graph (%s)\n  via %s", pkg, rule, strings.Join(chain(graph, mainPackage, pkg), "\n   -> "))
				}
			}
		})
	}
}

func forbiddenRule(pkg string) (string, bool) {
	if _, ok := allowed[pkg]; ok {
		return "", false
	}
	for _, f := range forbidden {
		if pkg == f.prefix || strings.HasPrefix(pkg, f.prefix+"/") {
			return f.why, true
		}
	}
	return "", false
}

// importGraph returns, for every package the main package depends on when
// built for goos, the packages it imports directly.
func importGraph(t *testing.T, goos string) map[string][]string {
	t.Helper()
	// The release build: static, so no cgo-only files are selected.
	out := goList(t, []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=0"},
		"-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", mainPackage)
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		graph[fields[0]] = fields[1:]
	}
	if _, ok := graph[mainPackage]; !ok {
		t.Fatalf("go list -deps did not list %s itself:\n%s", mainPackage, out)
	}
	return graph
}

// goList runs go list with args, env added to the environment. When it
// fails, t fails with go list's own output: that names the import cycle or
// the missing package, where the exit status says only "exit status 1".
func goList(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			stderr = exit.Stderr
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// chain returns the shortest import path from `from` to `to`, to show in a
// failure which import brought the package in.
func chain(graph map[string][]string, from, to string) []string {
	parent := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if pkg == to {
			var path []string
			for p := to; p != ""; p = parent[p] {
				path = append([]string{p}, path...)
			}
			return path
		}
		for _, imp := range graph[pkg] {
			if _, seen := parent[imp]; !seen {
				parent[imp] = pkg
				queue = append(queue, imp)
			}
		}
	}
	return []string{to}
}

const module = "github.com/kubectl-ship/kubectl-ship/"

// layers are the packages of the project and what each must not import
// directly, so that imports run one way (cmd -> fleet -> ship -> kube ->
// plans -> release; the verbs hand the engine strategy's planners, which
// speak plans too; strategy -> strategy/route -> strategy/httproute, never
// back up; gate and printers on release alone) and the pure
// packages stay free of clients and cobra.
var layers = map[string][]string{
	// The verbs reach the cluster only through the engine.
	"pkg/cmd": {module + "pkg/kube", "k8s.io/client-go"},
	// Carrying a verb's operation out, below the verbs' shared flags and
	// printing: values in, no flags, no printers.
	"pkg/cmd/internal/run": {module + "pkg/cmd/cli", module + "pkg/kube", module + "pkg/strategy", module + "pkg/printers",
		"github.com/spf13/cobra", "github.com/spf13/pflag", "k8s.io/cli-runtime", "k8s.io/client-go"},
	"pkg/release": {module + "pkg/", "github.com/spf13/cobra", "k8s.io/client-go"},
	// The plan vocabulary: what a planner reads and returns, on the read
	// model alone, so that what carries plans out needs no planner.
	"pkg/plans": {module + "pkg/strategy", module + "pkg/kube", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers",
		module + "pkg/fleet", module + "pkg/gate", module + "pkg/policy", module + "pkg/notify", module + "pkg/dashboard",
		"github.com/spf13/cobra", "k8s.io/client-go"},
	// An HTTPRoute's rules, edited for the planners below them: on the
	// vocabulary and the read model alone.
	"pkg/strategy/httproute": {module + "pkg/strategy", module + "pkg/kube", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers",
		module + "pkg/fleet", module + "pkg/gate", module + "pkg/policy", module + "pkg/dashboard", "github.com/spf13/cobra", "k8s.io/client-go"},
	// What a route is and does (the route of a canary or a switch, the track
	// Services, the canary Ingress, the way back), below the planners that
	// decide a verb's steps: never the planners themselves ("$": that
	// package alone, so the HTTPRoute rules beside it stay in reach).
	"pkg/strategy/route": {module + "pkg/strategy$", module + "pkg/kube", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers",
		module + "pkg/fleet", module + "pkg/gate", module + "pkg/policy", module + "pkg/dashboard", "github.com/spf13/cobra", "k8s.io/client-go"},
	"pkg/strategy": {module + "pkg/kube", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers", "github.com/spf13/cobra", "k8s.io/client-go"},
	// The API client, the engine and the fleet carry plans out: they know
	// the vocabulary, never the planners.
	"pkg/kube":     {module + "pkg/strategy", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers", "github.com/spf13/cobra"},
	"pkg/ship":     {module + "pkg/strategy", module + "pkg/cmd", module + "pkg/printers", "github.com/spf13/cobra"},
	"pkg/printers": {module + "pkg/kube", module + "pkg/ship", module + "pkg/strategy", module + "pkg/cmd", "github.com/spf13/cobra"},
	// A release policy is a document: parsed, checked and merged, no client.
	"pkg/policy": {module + "pkg/kube", module + "pkg/ship", module + "pkg/cmd", module + "pkg/printers", module + "pkg/fleet",
		"github.com/spf13/cobra", "k8s.io/client-go"},
	// Notifications render and post events; what they say comes from the
	// engine, and their URLs from whoever builds the sender.
	"pkg/notify": {module + "pkg/", "github.com/spf13/cobra", "k8s.io/client-go"},
	// The fleet runs operations through the engine, never the API itself.
	"pkg/fleet": {module + "pkg/kube", module + "pkg/strategy", module + "pkg/cmd", module + "pkg/printers", "github.com/spf13/cobra", "k8s.io/client-go"},
	// The dashboard shows and acts through the engine, as the verbs do; it
	// is no verb, so nothing of the command line either.
	"pkg/dashboard": {module + "pkg/kube", module + "pkg/cmd", "github.com/spf13/cobra", "k8s.io/client-go"},
	// The gates get their objects and HTTP clients from the engine; the
	// Prometheus API's JSON is read by hand, so no client library.
	"pkg/gate": {module + "pkg/kube", module + "pkg/ship", module + "pkg/strategy", module + "pkg/cmd", module + "pkg/printers",
		"github.com/spf13/cobra", "k8s.io/client-go", "github.com/prometheus/"},
	// The test fixtures are a leaf, so that every package's own tests and
	// the e2e seeds can use them.
	"internal/fixture": {module, "github.com/spf13/cobra", "k8s.io/client-go"},
}

func TestLayers(t *testing.T) {
	out := goList(t, nil, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../../pkg/...", "../../internal/...")
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		for layer, forbidden := range layers {
			if pkg != layer && !strings.HasPrefix(pkg, layer+"/") {
				continue
			}
			checked++
			for _, imp := range fields[1:] {
				for _, f := range forbidden {
					if forbids(f, imp) {
						t.Errorf("%s imports %s: imports run one way (cmd -> fleet -> ship -> kube -> plans -> release)", pkg, imp)
					}
				}
			}
		}
	}
	if checked < len(layers) {
		t.Errorf("checked %d packages, want at least %d: go list output changed?", checked, len(layers))
	}
}

// forbids says whether the forbidden entry f covers the import imp: the
// package f and those below it; f ending in "/", every path it begins; f
// ending in "$", that package alone.
func forbids(f, imp string) bool {
	if only, ok := strings.CutSuffix(f, "$"); ok {
		return imp == only
	}
	return imp == f || strings.HasPrefix(imp, f) && (strings.HasSuffix(f, "/") || strings.HasPrefix(imp, f+"/"))
}

// testOnly are the packages made for tests: the fixtures and the verbs'
// harness stay out of the binary.
var testOnly = []string{module + "internal/fixture", module + "pkg/cmd/internal/cmdtest"}

// TestFixturesOnlyInTests checks that no package's own files import a
// package made for tests, only its tests do.
func TestFixturesOnlyInTests(t *testing.T) {
	out := goList(t, nil, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../../...")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if slices.Contains(testOnly, imp) && !slices.Contains(testOnly, fields[0]) {
				t.Errorf("%s imports %s outside its tests: that package is for tests only", fields[0], imp)
			}
		}
	}
}
