package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
)

// CommandLine is the command as the release's record keeps it, the way the
// user typed it: the verb, its arguments and its own flags, never the
// connection flags, which may carry credentials (--token), nor what a URL
// carries of them (--webhook http://user:password@host/?token=T keeps
// http://host/?token=xxxxx).
func CommandLine(cmd *cobra.Command, args []string) string {
	words := []string{cmd.CommandPath()}
	for _, a := range append(args, TypedFlags(cmd)...) {
		words = append(words, quote(a))
	}
	return strings.Join(words, " ")
}

// TypedFlags are the verb's own flags the user typed, but those named in
// skip, as arguments that give them again: ["--image", "web:2",
// "--replace"]; never the connection flags.
func TypedFlags(cmd *cobra.Command, skip ...string) []string {
	var words []string
	// LocalFlags is a copy of the flag set, but of the same flags: each
	// knows whether it was set.
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		switch {
		case !f.Changed || slices.Contains(skip, f.Name):
		case isSlice(f):
			for _, v := range f.Value.(pflag.SliceValue).GetSlice() {
				words = append(words, "--"+f.Name, v)
			}
		case f.Value.Type() == "bool" && f.Value.String() == "true":
			words = append(words, "--"+f.Name)
		case f.NoOptDefVal != "":
			// --wait=false, --dry-run=server: apart, the value would be
			// read back as an argument.
			words = append(words, "--"+f.Name+"="+f.Value.String())
		default:
			words = append(words, "--"+f.Name, f.Value.String())
		}
	})
	return words
}

func isSlice(f *pflag.Flag) bool {
	_, ok := f.Value.(pflag.SliceValue)
	return ok
}

// quote puts a word, its credentials redacted, in single quotes when a
// shell would split or expand it.
func quote(word string) string {
	word = gate.Redact(word)
	if word != "" && !strings.ContainsAny(word, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
		return word
	}
	return "'" + strings.ReplaceAll(word, "'", `'\''`) + "'"
}
