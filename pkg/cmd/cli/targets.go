package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
)

// Releases resolves the releases a verb acts on: the names given, or the
// stable Deployments matching selector (-l), never both.
func Releases(ctx context.Context, client *kube.Client, names []string, selector string) ([]string, error) {
	if selector == "" {
		return names, nil
	}
	found, err := client.ReleaseNames(ctx, selector)
	if err == nil && len(found) == 0 {
		err = fmt.Errorf("no deployments in namespace %s match %s", client.Namespace, selector)
	}
	return found, err
}

// ValidateTargets checks that a verb got release names or a selector.
func ValidateTargets(names []string, selector string) error {
	switch {
	case len(names) == 0 && selector == "":
		return fmt.Errorf("give the name of a release (its stable Deployment) or a selector with -l")
	case len(names) > 0 && selector != "":
		return fmt.Errorf("give release names or -l, not both")
	}
	return nil
}

// ForEach runs fn on every release, going on past failures as kubectl
// rollout does; each failure is printed as it happens and the count returned.
func ForEach(names []string, errOut io.Writer, fn func(name string) error) error {
	if len(names) == 1 {
		return fn(names[0])
	}
	failed := 0
	for _, name := range names {
		if err := fn(name); err != nil {
			fmt.Fprintf(errOut, "error: %s: %v\n", name, err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d releases failed", failed, len(names))
	}
	return nil
}

// CompleteReleaseNames completes release names from the current namespace.
func CompleteReleaseNames(getter *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		client, err := kube.NewClient(getter)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		names, err := client.ReleaseNames(cmd.Context(), "")
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// ResumeHint adds to a wait cut short by --timeout or Ctrl-C what the user
// can do next; other errors pass through unchanged.
func ResumeHint(err error, hint string) error {
	var waitErr *kube.WaitError
	if errors.As(err, &waitErr) {
		return fmt.Errorf("%w: %s", err, hint)
	}
	return err
}
