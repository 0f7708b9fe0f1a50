package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/run"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// releases are what a verb acts on: the names given, or the stable
// Deployments that -l matches, and the Service (--service) that routes to
// them when several do.
type releases struct{ run.Releases }

// AddFlags binds -l and --service to cmd.
func (r *releases) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&r.Selector, "selector", "l", "", "Act on every release whose stable Deployment matches this label selector.")
	cmd.Flags().StringVar(&r.Service, "service", "", "The Service that routes to the release, when several select its pods.")
}

// Validate checks that the verb got release names or a selector.
func (r *releases) Validate() error {
	switch {
	case len(r.Names) == 0 && r.Selector == "":
		return fmt.Errorf("give the name of a release (its stable Deployment) or a selector with -l")
	case len(r.Names) > 0 && r.Selector != "":
		return fmt.Errorf("give release names or -l, not both")
	}
	return nil
}

// CompleteReleaseNames completes release names from the current namespace.
func CompleteReleaseNames(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		names, err := f.Engine().Releases(cmd.Context(), ship.Target{}, "")
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// PrintError writes err the way kubectl does: one line, prefixed "error: ".
// An error may quote what the cluster holds (an annotation, an image, an
// API server's message), so control characters are escaped: a newline
// cannot forge a line, nor an escape sequence reach the terminal.
func PrintError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %s\n", release.EscapeTerminal(strings.TrimPrefix(err.Error(), "error: ")))
}

// ReleasesMutation is the core of the Options of a verb that changes the
// releases named, or selected with -l.
type ReleasesMutation struct {
	releases
	*Mutation
}

// NewReleasesMutation returns its defaults.
func NewReleasesMutation(streams genericiooptions.IOStreams) ReleasesMutation {
	return ReleasesMutation{Mutation: NewMutation(streams)}
}

// AddFlags binds -l, --service and the mutating flags to cmd.
func (o *ReleasesMutation) AddFlags(cmd *cobra.Command) {
	o.releases.AddFlags(cmd)
	o.MutationFlags.AddFlags(cmd)
}

// Complete reads the release names and the engine.
func (o *ReleasesMutation) Complete(f *Factory, cmd *cobra.Command, args []string) error {
	o.Names = args
	o.Mutation.Complete(f, cmd, args)
	return nil
}

// Validate checks the arguments and flags; it makes no request.
func (o *ReleasesMutation) Validate() error {
	if err := o.releases.Validate(); err != nil {
		return err
	}
	if o.Fleet() && (len(o.Names) != 1 || o.Selector != "") {
		return fmt.Errorf("across contexts, give the name of one release (no -l)")
	}
	return o.MutationFlags.Validate()
}

// RunEach carries out planner's operation on each release; hint says how
// to go on with a release whose operation was cut short while waiting.
func (o *ReleasesMutation) RunEach(ctx context.Context, planner plans.Planner, hint func(name string) string) error {
	if o.Fleet() {
		return o.Run(ctx, ship.Target{Name: o.Names[0], Service: o.Service}, planner, hint(o.Names[0]))
	}
	failed := func(err error) { PrintError(o.ErrOut, err) }
	return o.Each(ctx, o.Engine, failed, func(t ship.Target) error {
		return o.Run(ctx, t, planner, hint(t.Name))
	})
}
