package policy

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
)

// newCmdValidate returns policy validate.
func newCmdValidate(streams genericiooptions.IOStreams) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "validate -f FILE",
		Short: "Check a ReleasePolicy document, making no request",
		Long: `Check the ReleasePolicy document in FILE ("-" for standard input), YAML or
JSON, as every command that reads a policy does before any request: its
version and kind, no unknown or duplicated field, and each field's value as
the flag of the same name checks it. Fields that only make sense together
(analyses and prometheus, interval and checkEvery) are checked when a
command merges the policies it follows with its flags, since a team's
default may hold one and the workload the other.

Exit status 0 when the document is valid; 1, with the field named, when not.`,
		Example: `  kubectl ship policy validate -f ctwoc-policy.yaml
  kubectl get deployment ctwoc -o jsonpath='{.metadata.annotations.kubectl-ship\.dev/policy}' | kubectl ship policy validate -f -`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if file == "" {
				return fmt.Errorf("give the document with -f FILE (- for standard input)")
			}
			doc, err := read(file, streams.In)
			if err != nil {
				return err
			}
			if _, err := policy.Parse(doc); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			_, err = fmt.Fprintf(streams.Out, "%s: a valid %s\n", file, policy.Kind)
			return err
		},
	}
	cmd.Flags().StringVarP(&file, "filename", "f", "", "The document to check, or - for standard input.")
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
	return cmd
}

func read(file string, in io.Reader) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(in)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-f: %w", err)
	}
	return doc, nil
}
