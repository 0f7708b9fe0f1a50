// Package scale implements `kubectl ship scale`.
package scale

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// NewCmdScale returns the scale command.
func NewCmdScale(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	var request strategy.ScaleRequest
	cmd := &cobra.Command{
		Use:   "scale NAME... | -l SELECTOR --replicas N",
		Short: "Resize a release, keeping its canary's share or scaling its serving color",
		Long: `Scale release NAME to N stable pods, as one release rather than one
Deployment. With a canary in place, the canary is resized beside them so it
keeps its share of the traffic: the weight it was given with --weight, or else
its current share of the pods; the weight that results is printed first. In a
blue-green release the serving color is scaled and the idle one left as it is;
--all-colors scales both. Anything else scales the Deployment NAME alone.

--replicas is required. 0 takes every pod of the release away, the canary's
too, so the Service has no ready endpoints: it is done only because it was
asked for explicitly, and said out loud.

ship then waits until every resized Deployment has its pods available, as
'kubectl rollout status' does. Scaling to the current size changes nothing
and exits 0; exit status is 1 on any error, and on a bad argument nothing in
the cluster is changed.`,
		Example: `  # 6 stable pods; a canary at 25% grows from 1 to 2 pods
  kubectl ship scale ctwoc --replicas 6

  # Both colors of a blue-green release
  kubectl ship scale ctwoc --replicas 4 --all-colors`,
	}
	o := cli.BindReleasesVerb(cmd, getter, streams, func(rel *release.Release) (strategy.Plan, error) {
		return strategy.PlanScale(rel, request)
	}, func(name string) string {
		return fmt.Sprintf("the release is resized; run 'kubectl ship scale %s --replicas %d' again to keep waiting for its pods", name, request.Replicas)
	})
	cmd.Flags().Int32Var(&request.Replicas, "replicas", 0, "The number of stable pods (of the serving color, in blue-green); 0 only when given explicitly.")
	cmd.Flags().BoolVar(&request.AllColors, "all-colors", false, "In a blue-green release, scale both colors, not only the serving one.")
	o.ValidateFlags = func() error {
		switch {
		case !cmd.Flags().Changed("replicas"):
			return fmt.Errorf("--replicas is required: give the number of stable pods")
		case request.Replicas < 0:
			return fmt.Errorf("--replicas must not be negative, not %d", request.Replicas)
		}
		return nil
	}
	return cmd
}
