// Command docgen writes the command reference (docs/commands.md) from the
// cobra tree, so `kubectl ship --help` and the docs never disagree. With
// -check it writes nothing and fails when the file differs (make docs-check).
//
// It walks the tree itself rather than using cobra/doc, which would add
// go-md2man to go.mod for man pages this project does not ship.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd"
)

func main() {
	check := flag.Bool("check", false, "fail if the file is not up to date instead of writing it")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: docgen [-check] FILE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *check); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(path string, check bool) error {
	// Flag defaults such as --cache-dir's are read from $HOME: keep the
	// variable, not this machine's home, in the docs.
	if err := os.Setenv("HOME", "$HOME"); err != nil {
		return err
	}
	root := cmd.NewCmdShip(genericiooptions.NewTestIOStreamsDiscard())
	// cobra adds `completion` only when the command runs: add it here too.
	root.InitDefaultCompletionCmd()

	var b bytes.Buffer
	b.WriteString("# Command reference\n\n" +
		"Generated from the command tree by `make docs` (hack/docgen); do not edit.\n" +
		"`make docs-check`, part of `make test`, fails when this file is stale.\n")
	writeCommand(&b, root)

	if !check {
		return os.WriteFile(path, b.Bytes(), 0o644)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(old, b.Bytes()) {
		return fmt.Errorf("%s is stale: run 'make docs' and commit the result", path)
	}
	return nil
}

// writeSubcommands lists c's subcommands under their groups' titles, as
// its help does.
func writeSubcommands(b *bytes.Buffer, c *cobra.Command) {
	groups := append([]*cobra.Group{{Title: "Commands:"}}, c.Groups()...)
	for _, g := range groups {
		var lines []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && sub.GroupID == g.ID {
				lines = append(lines, fmt.Sprintf("- `%s`: %s\n", sub.Name(), sub.Short))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(b, "\n%s\n\n%s", g.Title, strings.Join(lines, ""))
		}
	}
}

// writeCommand writes c's section, then its subcommands' in cobra's order
// (sorted by name). Hidden and deprecated commands and help are left out.
func writeCommand(b *bytes.Buffer, c *cobra.Command) {
	fmt.Fprintf(b, "\n## %s\n\n%s\n\n", c.CommandPath(), c.Short)
	fmt.Fprintf(b, "```\n%s\n```\n", c.UseLine())
	if c.Long != "" {
		fmt.Fprintf(b, "\n%s\n", strings.TrimSpace(c.Long))
	}
	writeSubcommands(b, c)
	if c.Example != "" {
		fmt.Fprintf(b, "\nExamples:\n\n```\n%s\n```\n", c.Example)
	}
	for _, s := range cmd.FlagSections(c) {
		fmt.Fprintf(b, "\n%s:\n\n```\n%s```\n", s.Title, s.Usages)
	}
	// The global flags are listed once, as `kubectl ship options` prints
	// them.
	if c.Name() == "options" && c.Parent() == c.Root() {
		fmt.Fprintf(b, "\nGlobal options, accepted by every command:\n\n```\n%s```\n", c.Root().PersistentFlags().FlagUsages())
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			writeCommand(b, sub)
		}
	}
}
