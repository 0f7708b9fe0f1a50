package policy

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
)

// newCmdExplain returns policy explain.
func newCmdExplain(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [FIELD]",
		Short: "Describe the fields of a ReleasePolicy",
		Long: `Describe the fields of a ReleasePolicy's spec, or the one named: what it
holds and the flag of the same meaning, which overrides it when typed.`,
		Example: `  kubectl ship policy explain
  kubectl ship policy explain steps`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			names := make([]cobra.Completion, len(policy.Fields()))
			for i, f := range policy.Fields() {
				names[i] = cobra.CompletionWithDesc(f.Name, f.Doc)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			fields := policy.Fields()
			if len(args) == 1 {
				f, ok := policy.FieldNamed(strings.TrimPrefix(args[0], "spec."))
				if !ok {
					return fmt.Errorf("%s is not a field of a %s: see 'kubectl ship policy explain'", args[0], policy.Kind)
				}
				fields = []policy.Field{f}
			} else {
				fmt.Fprintf(streams.Out, "KIND: %s\nVERSION: %s\n\n", policy.Kind, policy.APIVersion)
			}
			tw := cliprinters.GetNewTabWriter(streams.Out)
			fmt.Fprintln(tw, "FIELD\tFLAG\tDESCRIPTION")
			for _, f := range fields {
				flag := "-"
				if f.Flag != "" {
					flag = "--" + f.Flag
				}
				fmt.Fprintf(tw, "spec.%s\t%s\t%s\n", f.Name, flag, f.Doc)
			}
			return tw.Flush()
		},
	}
}
