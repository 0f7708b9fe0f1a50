package set

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// ImageOptions holds the flags and state of the set image command.
type ImageOptions struct {
	UndoOnFailure bool

	*cli.Mutation
	target  ship.Target
	values  []string
	planner strategy.SetImage
}

// NewImageOptions returns the set image command's defaults.
func NewImageOptions(streams genericiooptions.IOStreams) *ImageOptions {
	return &ImageOptions{Mutation: cli.NewMutation(streams)}
}

// NewCmdImage returns the set image command.
func NewCmdImage(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewImageOptions(streams)
	complete := cli.CompleteReleaseNames(f)
	cmd := &cobra.Command{
		Use:   "image NAME [CONTAINER=]IMAGE...",
		Short: "Roll the stable Deployment of a release to new images, as kubectl set image does",
		Long: `Give the stable Deployment NAME new images through a plain rolling update, as
'kubectl set image' does, then wait and show its progress as 'kubectl rollout
status' does. A bare IMAGE is for the only app container; name the container
when there are several, and to change an init container or a sidecar. Images the Deployment already runs change nothing, and
ship only waits for the rollout in progress.

While NAME has a canary or a green Deployment the stable pods belong to a
release in progress: set image refuses, and says what to run instead. A
paused Deployment is refused too, since its rollout would not progress.

With --undo-on-failure, a rollout that runs past the Deployment's progress
deadline or past --timeout is rolled back to the previous revision, found as
'kubectl rollout undo' finds it, still under the release's lock, and the
command says so and exits 1. A rollout interrupted with Ctrl-C is left as it
is. Exit status is 0 once every pod runs the new images, 1 on any error; on
a bad argument nothing in the cluster is changed.

` + cli.FleetWriteHelp,
		Example: `  kubectl ship set image ctwoc example/ctwoc:2.0.0

  # Name the container; go back to the previous revision if the rollout stalls
  kubectl ship set image ctwoc ctwoc=example/ctwoc:2.0.0 --timeout 2m --undo-on-failure`,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return complete(cmd, args, toComplete)
		},
		RunE: cli.RunE(f, o),
	}
	cmd.Flags().BoolVar(&o.UndoOnFailure, "undo-on-failure", false, "Roll back to the previous revision when the rollout exceeds its progress deadline or --timeout.")
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the arguments and the engine.
func (o *ImageOptions) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		o.target, o.values = ship.Target{Name: args[0]}, args[1:]
	}
	o.Mutation.Complete(f, cmd, args)
	return nil
}

// Validate checks the arguments and flags; it makes no request.
func (o *ImageOptions) Validate() error {
	switch {
	case o.target.Name == "":
		return fmt.Errorf("give the name of a release (its stable Deployment) and the new image(s) as [CONTAINER=]IMAGE")
	case len(o.values) == 0:
		return fmt.Errorf("give the new image(s) after the release name, as [CONTAINER=]IMAGE")
	case o.UndoOnFailure && !o.Wait:
		return fmt.Errorf("--undo-on-failure needs --wait: without waiting ship cannot tell that the rollout failed")
	}
	images, err := strategy.ParseImages(o.values)
	if err != nil {
		return err
	}
	o.planner = strategy.SetImage{Images: images, UndoOnFailure: o.UndoOnFailure}
	return o.MutationFlags.Validate()
}

// Run sets the images and waits for the rollout, rolling it back when it
// fails and --undo-on-failure asks for it.
func (o *ImageOptions) Run(ctx context.Context) error {
	return o.Mutation.Run(ctx, o.target, o.planner, fmt.Sprintf(
		"the new image is set and the rollout goes on; run the same command again to keep waiting, or roll back with 'kubectl rollout undo deployment/%s'", o.target.Name))
}
