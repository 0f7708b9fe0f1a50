package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Each verb's flags and arguments are checked before any request: these run
// with a kubeconfig that names no cluster, so one that tried to connect
// would fail with another error.
func TestVerbsRefuseBadInputBeforeAnyRequest(t *testing.T) {
	t.Setenv("KUBECONFIG", "/nonexistent")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"canary", "web"}, "--image: no image given"},
		{[]string{"canary", "web", "--image", "Web:2"}, `"Web:2" is not a valid image reference`},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "101"}, "--weight must be between 0 and 100, not 101"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "-1"}, "--weight must be between 0 and 100, not -1"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "7", "--weight-total", "5"}, "--weight must be between 0 and 5, not 7"},
		{[]string{"canary", "web", "--image", "web:2", "--weight-total", "0"}, "--weight-total must be between 1 and 1000000, not 0"},
		{[]string{"canary", "web", "--image", "web:2", "--weight-total", "2000000"}, "--weight-total must be between 1 and 1000000"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "0", "--route", "none"}, "--weight must be between 1 and 99 percent without a route"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "100", "--route", "none"}, "--weight must be between 1 and 99 percent without a route"},
		{[]string{"canary", "web", "--image", "web:2", "--weight", "5", "--replicas", "1", "--route", "none"}, "give --weight or --replicas, not both"},
		{[]string{"canary", "web", "--image", "web:2", "--weight-total", "1000", "--route", "none"}, "--weight-total needs a route"},
		{[]string{"canary", "web", "--image", "web:2", "--header", "X-Canary=1", "--route", "none"}, "--header and --cookie need a route"},
		{[]string{"canary", "web", "--image", "web:2", "--route", "grpcroute/web"}, `--route: "grpcroute/web": kind grpcroute is not a route kubectl-ship drives`},
		{[]string{"canary", "web", "--image", "web:2", "--route", "web"}, `--route: "web" is not a route`},
		{[]string{"canary", "web", "--image", "web:2", "--route", "ingress/other/web"}, "must be in the namespace of the Ingress and the Services"},
		{[]string{"canary", "web", "--image", "web:2", "--header", "X-Canary"}, `--header: "X-Canary": want NAME=VALUE (exact) or NAME~REGEX`},
		{[]string{"canary", "web", "--image", "web:2", "--header", "X Canary=1"}, `--header: "X Canary" is not an HTTP header name`},
		{[]string{"canary", "web", "--image", "web:2", "--header", "X-Canary~(["}, `--header: "([" is not a regular expression`},
		{[]string{"canary", "web", "--image", "web:2", "--cookie", "a=b"}, `--cookie: "a=b" is not a cookie name`},
		{[]string{"canary", "web", "--image", "web:2", "--replicas", "0"}, "--replicas must be at least 1, not 0: to remove the canary run 'kubectl ship abort web'"},
		{[]string{"canary", "web", "--image", "web:2", "--dry-run=maybe"}, `--dry-run must be "none", "server" or "client", not "maybe"`},
		{[]string{"canary", "web", "--image", "web:2", "-o", "toml"}, "unable to match a printer"},
		{[]string{"promote"}, "give the name of a release (its stable Deployment) or a selector with -l"},
		{[]string{"abort", "web", "-l", "app=web"}, "give release names or -l, not both"},
		{[]string{"promote", "web", "--timeout=-1s"}, "--timeout must not be negative"},
		{[]string{"bluegreen", "web"}, "--image: no image given"},
		{[]string{"bluegreen-switch", "web", "--to", "red"}, `--to: unknown color "red": use blue or green`},
		{[]string{"bluegreen-switch", "web", "--scale-down-delay=-1m"}, "--scale-down-delay must not be negative"},
		{[]string{"bluegreen", "cleanup"}, "give the name of a release (its stable Deployment) or a selector with -l"},
		{[]string{"bluegreen", "cleanup", "web", "--timeout=-1s"}, "--timeout must not be negative"},
		{[]string{"bluegreen", "cleanup", "web", "--to", "blue"}, "unknown flag: --to"},
		{[]string{"bluegreen-switch", "web", "--interval", "2m"}, "--interval needs --steps"},
		{[]string{"bluegreen-switch", "web", "--steps", "10,pause"}, "--steps: a switch does not pause"},
		{[]string{"bluegreen-switch", "web", "--steps", "50,10"}, "--steps: \"50,10\": the weights must increase"},
		{[]string{"bluegreen-switch", "web", "--steps", "10", "--to", "blue"}, "--steps shifts traffic to green"},
		{[]string{"bluegreen-switch", "web", "--steps", "10", "--route", "none"}, "--steps shifts an HTTPRoute's traffic"},
		{[]string{"bluegreen-switch", "web", "--steps", "10", "--interval", "5s"}, "--interval (5s) must be at least --check-every (10s)"},
		{[]string{"bluegreen-switch", "web", "--steps", "10", "--verify-for", "5s"}, "--verify-for (5s) must be at least --check-every (10s)"},
		{[]string{"bluegreen-switch", "web", "--analysis", "up == 1", "--prometheus", "http://127.0.0.1:9090"}, "--analysis and --webhook need --verify-for"},
		{[]string{"scale", "web"}, "--replicas is required: give the number of stable pods"},
		{[]string{"scale", "web", "--replicas", "-1"}, "--replicas must not be negative, not -1"},
		{[]string{"set", "image", "web"}, "give the new image(s) after the release name"},
		{[]string{"set", "image", "web", "web:2", "--undo-on-failure", "--wait=false"}, "--undo-on-failure needs --wait"},
		{[]string{"status", "web", "--until", "done"}, `--until must be one of healthy, canary-ready, switched, paused, approved, promoted, rolled-back, not "done"`},
		{[]string{"list", "-l", "a in ("}, `-l "a in ("`},
		{[]string{"history", "web", "-o", "toml"}, "unable to match a printer"},
		{[]string{"version", "-o", "toml"}, "--output must be 'yaml' or 'json'"},
		{[]string{"canary", "web", "--image", "web:2", "--context", "a", "--contexts", "b"}, "--context names one cluster: give --context or --contexts/--all-contexts, not both"},
		{[]string{"canary", "web", "--image", "web:2", "--context", "a", "--wave", "b"}, "--context names one cluster: give --context or --wave, not both"},
		{[]string{"list", "--contexts", "a", "--all-contexts"}, "give --contexts or --all-contexts, not both"},
		{[]string{"status", "web", "--contexts", ","}, "--contexts is empty: give context names or globs"},
		{[]string{"history", "web", "--all-contexts", "--parallel", "0"}, "--parallel must be at least 1, not 0"},
		{[]string{"canary", "web", "--image", "web:2", "--wave", ""}, "--wave 1 is empty: give it context names or globs"},
		{[]string{"promote", "web", "--wave", "a", "--wave", " , "}, "--wave 2 is empty: give it context names or globs"},
		{[]string{"canary", "web", "--image", "web:2", "--contexts", "a", "--soak", "1m"}, "--soak needs --wave: the soak follows each wave"},
		{[]string{"abort", "web", "--soak", "1m"}, "--soak needs --wave: the soak follows each wave"},
		{[]string{"canary", "web", "--image", "web:2", "--webhook", "http://127.0.0.1:1"}, "--analysis and --webhook need --steps, or --wave with --soak"},
		{[]string{"canary", "web", "--image", "web:2", "--interval", "1m"}, "--interval and --no-promote need --steps"},
		{[]string{"canary", "web", "--image", "web:2", "--webhook", "http://127.0.0.1:1", "--wave", "a", "--soak", "5s", "--check-every", "10s"}, "--soak (5s) must be at least --check-every (10s)"},
		{[]string{"canary", "web", "--image", "web:2", "--wave", "a", "--contexts", "b"}, "give --wave or --contexts/--all-contexts, not both"},
		{[]string{"canary", "web", "--image", "web:2", "--wave", "a", "--on-failure", "retry"}, `--on-failure must be "abort" or "stop", not "retry"`},
		{[]string{"canary", "web", "--image", "web:2", "--wave", "a", "-o", "json"}, "-o json: across contexts the results print as lines"},
		{[]string{"promote", "a", "b", "--all-contexts"}, "across contexts, give the name of one release (no -l)"},
		{[]string{"status", "web", "--all-contexts", "--watch"}, "--watch and --until follow one cluster"},
		{[]string{"list", "--all-contexts", "-o", "name"}, "-o name: across contexts, use -o json or yaml"},
		{[]string{"list", "--all-contexts", "--request-timeout", "soon"}, `--request-timeout "soon": give a duration such as 10s, or seconds`},
		{[]string{"adopt"}, "accepts 1 arg(s), received 0"},
		{[]string{"adopt", "web", "--canary", "web-a", "--green", "web-b"}, "give --canary or --green, not both"},
		{[]string{"adopt", "web", "--canary", "web"}, "--canary web: that is the release's own Deployment; name the Deployment beside it"},
		{[]string{"adopt", "web", "--dry-run=maybe"}, `--dry-run must be "none", "server" or "client", not "maybe"`},
		{[]string{"status", "web", "--green", "web"}, "--green web: that is the release's own Deployment"},
		{[]string{"dashboard", "--port", "70000"}, "--port must be between 0 and 65535, not 70000"},
		{[]string{"dashboard", "--address", "example.com"}, `--address must be an IP address of this machine (127.0.0.1, 0.0.0.0, ...), not "example.com"`},
		{[]string{"dashboard", "--contexts", "a", "--all-contexts"}, "give --contexts or --all-contexts, not both"},
		{[]string{"dashboard", "web"}, `unknown command "web" for "kubectl ship dashboard"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := NewCmdShip(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
			root.SetArgs(tt.args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed on stdout: %s", out.String())
			}
		})
	}
}

// Contexts are chosen from the kubeconfig alone: a name it does not have, a
// glob that matches none, or a context in two waves is refused before any
// request (its servers listen nowhere, so one would fail otherwise).
func TestFleetRefusesUnknownContextsBeforeAnyRequest(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	config := `apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: "https://127.0.0.1:1"}}
users:
- {name: u, user: {token: x}}
contexts:
- {name: prod-a, context: {cluster: c, user: u}}
- {name: prod-b, context: {cluster: c, user: u}}
current-context: prod-a
`
	if err := os.WriteFile(kubeconfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", kubeconfig)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"list", "--contexts", "staging-*"}, `--contexts: "staging-*" matches no context of the kubeconfig (its contexts: prod-a, prod-b)`},
		{[]string{"status", "web", "--contexts", "prod-a,prod-c"}, `--contexts: context "prod-c" is not in the kubeconfig (its contexts: prod-a, prod-b)`},
		{[]string{"canary", "web", "--image", "web:2", "--wave", "prod-a", "--wave", "prod-*"}, "context prod-a is in --wave 1 and --wave 2: each context goes in one wave"},
		{[]string{"promote", "web", "--wave", "prod-a", "--wave", "eu-*"}, `--wave 2: "eu-*" matches no context of the kubeconfig (its contexts: prod-a, prod-b)`},
		{[]string{"dashboard", "--contexts", "staging-*"}, `--contexts: "staging-*" matches no context of the kubeconfig (its contexts: prod-a, prod-b)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := NewCmdShip(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
			root.SetArgs(tt.args)
			err := root.Execute()
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed on stdout: %s", out.String())
			}
		})
	}
}
