package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
)

// verb is a command with some of canary's flags, parsed from args.
func verb(t *testing.T, args ...string) *cobra.Command {
	t.Helper()
	cmd := &cobra.Command{Use: "canary"}
	flags := cmd.Flags()
	flags.String("steps", "", "")
	flags.Duration("interval", time.Minute, "")
	flags.Duration("check-every", 10*time.Second, "")
	flags.Int32("weight", 0, "")
	flags.StringArray("analysis", nil, "")
	flags.StringArray("wave", nil, "")
	flags.String("sticky", "", "")
	flags.Lookup("sticky").NoOptDefVal = "default"
	if err := flags.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func layer(t *testing.T, source, spec string) policy.Layer {
	t.Helper()
	p, err := policy.Parse([]byte("apiVersion: kubectl-ship.dev/v1alpha1\nkind: ReleasePolicy\nspec: " + spec))
	if err != nil {
		t.Fatal(err)
	}
	return policy.Layer{Source: source, Spec: &p.Spec}
}

// Typed flags win; the flags not typed take the layers' values, the first
// layer over the next, without being marked typed; the rest keep their
// defaults, which the effective policy names.
func TestApplyPolicyPrecedence(t *testing.T) {
	cmd := verb(t, "--interval", "30s")
	eff, err := ApplyPolicy(cmd, policy.Canary, nil,
		layer(t, "--policy p.yaml", "{steps: [10, 50], stickySeconds: 600}"),
		layer(t, "deployment/web", "{steps: [5], interval: 5m, analyses: ['up == 1'], waves: [[a], [b, c]]}"),
	)
	if err != nil {
		t.Fatal(err)
	}
	flags := cmd.Flags()
	got := map[string]string{}
	for _, name := range []string{"steps", "interval", "check-every", "analysis", "wave", "sticky"} {
		got[name] = flags.Lookup(name).Value.String()
	}
	want := map[string]string{"steps": "10,50", "interval": "30s", "check-every": "10s", "analysis": "[up == 1]", "wave": `[a,"b,c"]`, "sticky": "600"}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("--%s = %q, want %q", name, got[name], value)
		}
	}
	if flags.Changed("steps") || flags.Changed("analysis") {
		t.Errorf("a policy's values must not read as typed")
	}
	sources := map[string]string{"strategy": "default", "steps": "--policy p.yaml", "interval": "--interval", "checkEvery": "default",
		"analyses": "deployment/web", "waves": "deployment/web", "stickySeconds": "--policy p.yaml"}
	for field, source := range sources {
		if eff.Sources[field] != source {
			t.Errorf("%s from %q, want %q", field, eff.Sources[field], source)
		}
	}
}

// A typed --weight makes a one-off canary: the policy's steps do not apply;
// a context typed elsewhere (--context) masks its waves.
func TestApplyPolicyMasks(t *testing.T) {
	cmd := verb(t, "--weight", "25")
	eff, err := ApplyPolicy(cmd, policy.Canary, []string{"context"}, layer(t, "deployment/web", "{steps: [10, 50], interval: 5m, waves: [[a]], checkEvery: 2s}"))
	if err != nil {
		t.Fatal(err)
	}
	flags := cmd.Flags()
	if flags.Lookup("steps").Value.String() != "" || flags.Lookup("wave").Value.String() != "[]" || flags.Lookup("check-every").Value.String() != "2s" {
		t.Errorf("masked fields applied: steps %q, wave %q", flags.Lookup("steps").Value, flags.Lookup("wave").Value)
	}
	if _, ok := eff.Sources["steps"]; ok {
		t.Errorf("steps should be left out: %v", eff.Sources)
	}
}

// A typed flag's values are the typed layer, as the record keeps it.
func TestTypedFlagsGiveThemAgain(t *testing.T) {
	cmd := verb(t, "--steps", "10,50", "--analysis", "a < 1", "--analysis", "b > 2", "--sticky")
	words := TypedFlags(cmd, "steps")
	if got := strings.Join(words, " "); got != "--analysis a < 1 --analysis b > 2 --sticky=default" {
		t.Errorf("TypedFlags: %q", got)
	}
	again := verb(t, words...)
	if again.Flags().Lookup("analysis").Value.String() != "[a < 1,b > 2]" || again.Flags().Lookup("sticky").Value.String() != "default" {
		t.Errorf("given again: %v", again.Flags().Lookup("analysis").Value)
	}
}
