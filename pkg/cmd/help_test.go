package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// run runs kubectl-ship with args and returns what it printed on stdout.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewCmdShip(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String()
}

// The root's help groups the verbs as kubectl groups its commands and
// leaves the global flags to `kubectl ship options`.
func TestRootHelpGroupsTheVerbs(t *testing.T) {
	help := run(t, "--help")
	for _, want := range []string{
		"HTTPRoute", "ingress-nginx", "Prometheus", "webhooks", "approve", "kubeconfig contexts", "dashboard",
		"Release Commands:\n  abort ", "Policy and Approval Commands:\n  approve ", "Change Commands:\n  adopt ",
		"Inspect Commands:\n  dashboard ", "Other Commands:\n  completion ", "  options ",
		"Usage:\n  kubectl ship [command] [options]\n",
		`Use "kubectl ship options" for a list of global command-line options (applies to all commands).`,
	} {
		if !strings.Contains(help, want) {
			t.Errorf("root help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "--kubeconfig") {
		t.Errorf("root help lists the global flags:\n%s", help)
	}
}

// A verb's help has its flags in sections, and none of the global ones.
func TestVerbHelpGroupsItsFlags(t *testing.T) {
	help := run(t, "canary", "--help")
	sections := []string{"\nOptions:\n", "\nTraffic Options:\n", "\nProgression and Gate Options:\n",
		"\nPolicy Options:\n", "\nFleet Options:\n", "\nOutput Options:\n", "\nUsage:\n"}
	at := -1
	for _, s := range sections {
		i := strings.Index(help, s)
		if i < at {
			t.Fatalf("canary --help: %q missing or out of order:\n%s", s, help)
		}
		at = i
	}
	section := func(title string) string {
		_, rest, _ := strings.Cut(help, "\n"+title+":\n")
		rest, _, _ = strings.Cut(rest, "\n\n")
		return rest
	}
	for title, flags := range map[string][]string{
		"Traffic Options":              {"--weight ", "--route ", "--header ", "--replicas "},
		"Progression and Gate Options": {"--steps ", "--analysis ", "--webhook ", "--check-every "},
		"Fleet Options":                {"--wave ", "--contexts ", "--soak "},
		"Output Options":               {"-o, --output ", "--template "},
		"Options":                      {"--image ", "--dry-run", "--timeout "},
	} {
		for _, flag := range flags {
			if !strings.Contains(section(title), flag) {
				t.Errorf("canary --help: %s lacks %s:\n%s", title, flag, section(title))
			}
		}
	}
	_, flags, _ := strings.Cut(help, "\nOptions:\n")
	for _, global := range []string{"--kubeconfig", "--context ", "--namespace", "-v, --v", "--help"} {
		if strings.Contains(flags, global) {
			t.Errorf("canary --help lists %s", global)
		}
	}
	// --replicas sizes the canary's share in canary alone.
	if scale := run(t, "scale", "--help"); !strings.Contains(scale, "Options:\n      --all-colors") || strings.Contains(scale, "Traffic Options") {
		t.Errorf("scale --help:\n%s", scale)
	}
}

// Every flag of every command is in its help or in `kubectl ship options`.
func TestHelpLosesNoFlag(t *testing.T) {
	options := run(t, "options")
	if !strings.HasPrefix(options, "The following options can be passed to any command:\n") {
		t.Errorf("options:\n%s", options)
	}
	root := NewCmdShip(genericiooptions.NewTestIOStreamsDiscard())
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && !lists(options, f.Name) {
			t.Errorf("options lacks --%s", f.Name)
		}
	})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		var usages string
		for _, s := range FlagSections(c) {
			usages += s.Usages
		}
		c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if c.HasParent() && f.Name != "help" && !f.Hidden && !lists(usages, f.Name) {
				t.Errorf("%s: --%s is in no section", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// The global flags, out of the help, are still completed and accepted.
func TestGlobalFlagsStillCompleted(t *testing.T) {
	out := run(t, "__complete", "canary", "web", "--con")
	for _, want := range []string{"--context\t", "--contexts\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("__complete canary web --con lacks %q:\n%s", want, out)
		}
	}
}

// lists says whether usage lines list --name (followed by its type, or
// [=true|false] for a boolean).
func lists(usages, name string) bool {
	return strings.Contains(usages, "--"+name+" ") || strings.Contains(usages, "--"+name+"[")
}
