// Package bluegreen implements `kubectl ship bluegreen` and its cleanup.
package bluegreen

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Options holds the flags and state of the bluegreen command.
type Options struct {
	Images  []string
	Service string
	Preview bool

	*cli.MutationFlags
	name    string
	request strategy.BlueGreenRequest
	client  *kube.Client
	getter  *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// NewCmdBlueGreen returns the bluegreen command, with cleanup beneath it.
func NewCmdBlueGreen(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{MutationFlags: cli.NewMutationFlags(), getter: getter, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "bluegreen NAME --image [CONTAINER=]IMAGE",
		Short: "Bring a new image up in the idle color of a blue-green release, moving no traffic",
		Long: `Bring the new image(s) up in the idle color of release NAME, at the serving
color's replica count, and wait until every pod is ready. Blue is the
Deployment NAME; green is NAME-green, created from blue's pod template the
first time. No traffic moves: 'kubectl ship bluegreen-switch NAME' does that.

The Services switch between the colors on a pod label: a version label the
pods already carry (version, app.kubernetes.io/version; green gets the new
image's tag), or else kubectl-ship.dev/color, which blue's pods then get
through a rolling update, announced before it starts. Blue-green runs both
colors at once and so needs twice the capacity: that is said, with the pods'
resource requests against the nodes' allocatable capacity, before acting.

Interrupted at any point, running the command again continues. Exit status is
0 once the idle color is ready, 1 on any error.`,
		Example: `  # Green runs 2.0.0 beside blue's 1.0.0; the Service still routes to blue
  kubectl ship bluegreen ctwoc --image example/ctwoc:2.0.0 --preview-service`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(getter),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	flags := cmd.Flags()
	flags.StringArrayVar(&o.Images, "image", nil, "New image as [CONTAINER=]IMAGE; repeat for several containers.")
	flags.StringVar(&o.Service, "service", "", "Switch only this Service, when several route to the release.")
	flags.BoolVar(&o.Preview, "preview-service", false, "Create NAME-preview, a Service routing to the idle color, to try it before the switch.")
	o.AddFlags(cmd)
	cmd.AddCommand(newCmdCleanup(getter, streams))
	return cmd
}

// Complete reads the arguments and the connection flags.
func (o *Options) Complete(args []string) error {
	o.name = args[0]
	var err error
	o.client, err = kube.NewClient(o.getter)
	return err
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	images, err := strategy.ParseImages(o.Images)
	if err != nil {
		return fmt.Errorf("--image: %w", err)
	}
	o.request = strategy.BlueGreenRequest{Images: images, Preview: o.Preview}
	return o.MutationFlags.Validate()
}

// Run plans the release from the cluster's state and carries it out.
func (o *Options) Run(ctx context.Context) error {
	err := o.Apply(ctx, o.client, o.IOStreams, o.name, func(ctx context.Context) (strategy.Plan, error) {
		rel, err := o.client.LoadRelease(ctx, o.name, o.Service)
		if err != nil {
			return strategy.Plan{}, err
		}
		var nodes []corev1.Node
		if strategy.SetsRequests(rel.Stable) {
			nodes = o.client.Nodes(ctx)
		}
		return strategy.PlanBlueGreen(rel, o.request, nodes)
	})
	return cli.ResumeHint(err, "run the same command again to keep waiting; no traffic has moved")
}

func newCmdCleanup(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	var del bool
	cmd := &cobra.Command{
		Use:   "cleanup NAME... | -l SELECTOR",
		Short: "Scale the idle color of a blue-green release to zero, or delete green with --delete",
		Long: `Scale the idle color to zero once you are sure of the switch, or with --delete
remove NAME-green (and NAME-preview) when green is idle. The serving color is
never touched, and nothing scales a color down on its own: switching back
needs the other color still running.`,
		Example: `  kubectl ship bluegreen cleanup ctwoc
  kubectl ship bluegreen cleanup ctwoc --delete`,
	}
	cli.BindReleasesVerb(cmd, getter, streams, func(rel *release.Release) (strategy.Plan, error) {
		return strategy.PlanCleanup(rel, del)
	}, func(name string) string { return "run 'kubectl ship bluegreen cleanup " + name + "' again" })
	cmd.Flags().BoolVar(&del, "delete", false, "Delete green instead of scaling it to zero (only when green is idle).")
	return cmd
}
