// Package packaging checks what ships beside the binary: the commands of the
// k9s plugin file (here, in every `go test ./...`; test/e2e/k9s_test.go loads
// the file into the real k9s) and the release archives and krew manifest
// (krew_test.go, under the packaging build tag: `make packaging`).
package packaging

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd"
)

// k9sPlugin is the part of a k9s plugin entry that the test reads.
type k9sPlugin struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
	Confirm bool     `json:"confirm"`
}

// k9sVars are sample values for the variables k9s expands in args, so that
// typed flags (a number, a duration) parse as they will in k9s.
var k9sVars = map[string]string{
	"NAME": "web", "NAMESPACE": "default", "CONTEXT": "kind", "CLUSTER": "kind", "USER": "admin",
}

// readOnlyVerbs may run without k9s asking first; every other verb changes
// the cluster and needs `confirm: true`.
var readOnlyVerbs = map[string]bool{"status": true, "list": true, "version": true}

// TestK9sPluginsRunValidShipCommands parses every plugin's command on the
// real command tree. The k9s test (test/e2e) runs only the read-only plugin
// and declines the others at their confirmation, so this is what notices a
// verb or flag the file uses going away, in seconds and with no cluster.
func TestK9sPluginsRunValidShipCommands(t *testing.T) {
	plugins := readK9sPlugins(t, "../../plugins.yaml")
	if len(plugins) == 0 {
		t.Fatal("plugins.yaml has no plugins")
	}
	for _, name := range slices.Sorted(maps.Keys(plugins)) {
		p := plugins[name]
		if p.Command != "kubectl" || len(p.Args) < 2 || p.Args[0] != "ship" {
			t.Errorf("%s: runs %q %q; want kubectl ship VERB ...", name, p.Command, p.Args)
			continue
		}
		verb, err := checkShipArgs(expandK9sVars(p.Args[1:]))
		if err != nil {
			t.Errorf("%s: kubectl %s: %v", name, strings.Join(p.Args, " "), err)
			continue
		}
		if !readOnlyVerbs[verb] && !p.Confirm {
			t.Errorf("%s: %s changes the cluster: set confirm: true", name, verb)
		}
	}
}

// TestCheckShipArgs keeps the check above honest: it must reject what
// kubectl-ship would.
func TestCheckShipArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"a verb with global and own flags", []string{"version", "--client", "-n", "default", "--context=kind"}, ""},
		{"an unknown verb", []string{"statuz", "web"}, `unknown command "statuz"`},
		{"an unknown flag", []string{"version", "--nope"}, "unknown flag: --nope"},
		{"a flag without its value", []string{"version", "-o"}, "flag needs an argument"},
		{"no verb", []string{"-n", "default"}, "names no verb that runs"},
		{"a command group", []string{"completion"}, "names no verb that runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkShipArgs(tt.args)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func readK9sPlugins(t *testing.T, path string) map[string]k9sPlugin {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Plugins map[string]k9sPlugin `json:"plugins"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return file.Plugins
}

func expandK9sVars(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = os.Expand(a, func(v string) string {
			if val, ok := k9sVars[v]; ok {
				return val
			}
			return "$" + v
		})
	}
	return out
}

// checkShipArgs parses args (after `kubectl ship`) as kubectl-ship would, on
// the real command tree, and returns the verb they run.
func checkShipArgs(args []string) (string, error) {
	root := cmd.NewCmdShip(genericiooptions.NewTestIOStreamsDiscard())
	root.InitDefaultCompletionCmd() // as Execute does
	c, rest, err := root.Find(args)
	if err != nil {
		return "", err
	}
	if c == root || !c.Runnable() {
		return "", errors.New("names no verb that runs")
	}
	if c.Deprecated != "" || c.Hidden {
		return "", fmt.Errorf("%s is deprecated or hidden", c.Name())
	}
	if err := c.ParseFlags(rest); err != nil {
		return "", err
	}
	if err := c.ValidateArgs(c.Flags().Args()); err != nil {
		return "", err
	}
	if err := c.ValidateRequiredFlags(); err != nil {
		return "", err
	}
	return c.Name(), c.ValidateFlagGroups()
}
