// Package abort implements `kubectl ship abort`.
package abort

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// NewCmdAbort returns the abort command.
func NewCmdAbort(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "abort NAME... | -l SELECTOR",
		Short: "Remove the canary and restore the Service; the stable Deployment is untouched",
		Long: `Abort the canary of each release: delete NAME-canary and give the Service back
the session affinity it had before the canary. The stable Deployment is not
changed, so all traffic returns to it as the canary pods stop.

A release with no canary is left as it is, with exit status 0. Once a promote
has rolled the stable Deployment to the canary's template, abort refuses and
says how to finish or undo it.`,
		Example: `  kubectl ship abort ctwoc`,
	}
	cli.BindReleasesVerb(cmd, getter, streams, strategy.PlanAbort, func(name string) string {
		return "run 'kubectl ship abort " + name + "' again to finish"
	})
	return cmd
}
