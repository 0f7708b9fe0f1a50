package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The help reads as kubectl's: the verbs in groups, each verb's flags in
// sections, and the connection and logging flags, which every verb accepts,
// left to `kubectl ship options`. It is written by functions rather than
// cobra's text/template usage, so nothing is parsed at start-up.

// commandGroups are the groups of the root's help, in order, and verbGroup
// puts each verb in one.
var commandGroups = []*cobra.Group{
	{ID: "release", Title: "Release Commands:"},
	{ID: "gate", Title: "Policy and Approval Commands:"},
	{ID: "change", Title: "Change Commands:"},
	{ID: "inspect", Title: "Inspect Commands:"},
	{ID: "other", Title: "Other Commands:"},
}

func verbGroup(verb string) string {
	switch verb {
	case "canary", "promote", "abort", "bluegreen", "bluegreen-switch":
		return "release"
	case "policy", "approve", "reject":
		return "gate"
	case "scale", "set", "adopt":
		return "change"
	case "status", "list", "history", "dashboard":
		return "inspect"
	}
	return "other"
}

// flagSections are the titles of a verb's flag sections, in order.
var flagSections = []string{"Options", "Traffic Options", "Progression and Gate Options",
	"Policy Options", "Fleet Options", "Output Options"}

// flagSection is the section of a verb's flag: a flag has one meaning
// wherever it appears, but --replicas, which sizes the canary's share only
// in canary.
func flagSection(verb, flag string) string {
	switch flag {
	case "weight", "weight-total", "route", "header", "cookie", "sticky", "exact":
		return "Traffic Options"
	case "replicas":
		if verb == "canary" {
			return "Traffic Options"
		}
	case "steps", "interval", "no-promote", "verify-for", "check-every", "ready-grace",
		"analysis", "prometheus", "webhook", "failure-limit", "inconclusive-limit":
		return "Progression and Gate Options"
	case "policy", "notify":
		if verb != "policy" {
			return "Policy Options"
		}
	case "contexts", "all-contexts", "wave", "soak", "parallel", "on-failure":
		return "Fleet Options"
	case "output", "template", "show-managed-fields", "allow-missing-template-keys", "no-headers":
		return "Output Options"
	}
	return "Options"
}

// setHelp makes root and its verbs print help as kubectl does.
func setHelp(root *cobra.Command) {
	for _, g := range commandGroups {
		root.AddGroup(g)
	}
	for _, c := range root.Commands() {
		c.GroupID = verbGroup(c.Name())
	}
	root.SetCompletionCommandGroupID("other")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		text := c.Long
		if text == "" {
			text = c.Short
		}
		fmt.Fprintf(c.OutOrStdout(), "%s\n\n", strings.TrimSpace(text))
		writeUsage(c.OutOrStdout(), c)
	})
	root.SetUsageFunc(func(c *cobra.Command) error {
		writeUsage(c.OutOrStderr(), c)
		return nil
	})
}

// writeUsage writes what kubectl's usage template does: aliases, examples,
// subcommands, flags, the usage line and where to read more.
func writeUsage(w io.Writer, c *cobra.Command) {
	if len(c.Aliases) > 0 {
		fmt.Fprintf(w, "Aliases:\n  %s\n\n", c.NameAndAliases())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "Examples:\n%s\n\n", strings.TrimRight(c.Example, "\n"))
	}
	writeCommands(w, c)
	for _, s := range FlagSections(c) {
		fmt.Fprintf(w, "%s:\n%s\n", s.Title, s.Usages)
	}
	line := c.UseLine()
	if !c.Runnable() && c.HasAvailableSubCommands() {
		line = c.CommandPath() + " [command]"
	}
	fmt.Fprintf(w, "Usage:\n  %s [options]\n\n", line)
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "Use \"%s <command> --help\" for more information about a given command.\n", c.CommandPath())
	}
	fmt.Fprintf(w, "Use \"%s options\" for a list of global command-line options (applies to all commands).\n", c.Root().CommandPath())
}

// writeCommands lists c's subcommands under their groups' titles, or under
// "Available Commands" when they have none.
func writeCommands(w io.Writer, c *cobra.Command) {
	titles := map[string]string{"": "Available Commands:"}
	order := []string{""}
	for _, g := range c.Groups() {
		titles[g.ID] = g.Title
		order = append(order, g.ID)
	}
	padding := 0
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			padding = max(padding, len(sub.Name()))
		}
	}
	for _, id := range order {
		var lines []string
		for _, sub := range c.Commands() {
			if sub.GroupID == id && sub.IsAvailableCommand() {
				lines = append(lines, fmt.Sprintf("  %-*s  %s", padding, sub.Name(), sub.Short))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "%s\n%s\n\n", titles[id], strings.Join(lines, "\n"))
		}
	}
}

// FlagSection is one section of a verb's flags: its title and the flags'
// usage lines.
type FlagSection struct {
	Title, Usages string
}

// FlagSections are c's flags, in sections, without the global ones (see
// `kubectl ship options`) and --help. The root has none.
func FlagSections(c *cobra.Command) []FlagSection {
	if !c.HasParent() {
		return nil
	}
	global := c.Root().PersistentFlags()
	sets := map[string]*pflag.FlagSet{}
	add := func(f *pflag.Flag) {
		if f.Name == "help" || global.Lookup(f.Name) == f {
			return
		}
		title := flagSection(c.Name(), f.Name)
		if sets[title] == nil {
			sets[title] = pflag.NewFlagSet(title, pflag.ContinueOnError)
		}
		sets[title].AddFlag(f)
	}
	c.LocalFlags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	var sections []FlagSection
	for _, title := range flagSections {
		if s := sets[title]; s != nil && s.HasAvailableFlags() {
			sections = append(sections, FlagSection{title, s.FlagUsages()})
		}
	}
	return sections
}

// newCmdOptions is `kubectl ship options`, which lists the flags every
// command accepts, as `kubectl options` does.
func newCmdOptions(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:     "options",
		Short:   "Print the list of flags inherited by all commands",
		Long:    "Print the list of flags inherited by all commands: kubectl's connection flags and -v.",
		Example: "  # Print flags inherited by all commands\n  kubectl ship options",
		Args:    cobra.NoArgs,
		Run: func(c *cobra.Command, _ []string) {
			fmt.Fprintf(c.OutOrStdout(), "The following options can be passed to any command:\n\n%s", root.PersistentFlags().FlagUsages())
		},
	}
}
