package set

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// errRolloutStands tells Run that the failed rollout is not one to undo.
var errRolloutStands = errors.New("the rollout is not one to undo")

// ImageOptions holds the flags and state of the set image command.
type ImageOptions struct {
	UndoOnFailure bool

	*cli.MutationFlags
	name   string
	values []string
	images []strategy.Image
	client *kube.Client
	getter *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// NewCmdImage returns the set image command.
func NewCmdImage(getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ImageOptions{MutationFlags: cli.NewMutationFlags(), getter: getter, IOStreams: streams}
	complete := cli.CompleteReleaseNames(getter)
	cmd := &cobra.Command{
		Use:   "image NAME [CONTAINER=]IMAGE...",
		Short: "Roll the stable Deployment of a release to new images, as kubectl set image does",
		Long: `Give the stable Deployment NAME new images through a plain rolling update, as
'kubectl set image' does, then wait and show its progress as 'kubectl rollout
status' does. A bare IMAGE is for the only container; name the container when
there are several. Images the Deployment already runs change nothing, and
ship only waits for the rollout in progress.

While NAME has a canary or a green Deployment the stable pods belong to a
release in progress: set image refuses, and says what to run instead. A
paused Deployment is refused too, since its rollout would not progress.

With --undo-on-failure, a rollout that runs past the Deployment's progress
deadline or past --timeout is rolled back to the previous revision, found as
'kubectl rollout undo' finds it, and the command says so and exits 1. A
rollout interrupted with Ctrl-C is left as it is. Exit status is 0 once every
pod runs the new images, 1 on any error; on a bad argument nothing in the
cluster is changed.`,
		Example: `  kubectl ship set image ctwoc example/ctwoc:2.0.0

  # Name the container; go back to the previous revision if the rollout stalls
  kubectl ship set image ctwoc ctwoc=example/ctwoc:2.0.0 --timeout 2m --undo-on-failure`,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return complete(cmd, args, toComplete)
		},
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
	cmd.Flags().BoolVar(&o.UndoOnFailure, "undo-on-failure", false, "Roll back to the previous revision when the rollout exceeds its progress deadline or --timeout.")
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the arguments and the connection flags.
func (o *ImageOptions) Complete(args []string) error {
	if len(args) > 0 {
		o.name, o.values = args[0], args[1:]
	}
	var err error
	o.client, err = kube.NewClient(o.getter)
	return err
}

// Validate checks the arguments and flags; it makes no request.
func (o *ImageOptions) Validate() error {
	switch {
	case o.name == "":
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
	o.images = images
	if o.UndoOnFailure {
		// The rollback must be possible before the rollout starts.
		o.AlsoNeeds = kube.RollbackAccess
	}
	return o.MutationFlags.Validate()
}

// Run sets the images and waits for the rollout, rolling it back when it
// fails and --undo-on-failure asks for it.
func (o *ImageOptions) Run(ctx context.Context) error {
	// Apply bounds its run by --timeout; this context has the same deadline
	// (Apply's derives from it), so it tells a timeout from other failures.
	runCtx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	planned := false
	err := o.Apply(runCtx, o.client, o.IOStreams, o.name, func(ctx context.Context) (strategy.Plan, error) {
		rel, err := o.client.LoadRelease(ctx, o.name, "")
		if err != nil {
			return strategy.Plan{}, err
		}
		plan, err := strategy.PlanSetImage(rel, o.images)
		planned = err == nil
		return plan, err
	})
	// Bad input, success, and Ctrl-C leave the rollout as it is.
	if err == nil || !planned || !o.UndoOnFailure || ctx.Err() != nil {
		return cli.ResumeHint(err, o.hint())
	}
	return o.undo(ctx, err, errors.Is(runCtx.Err(), context.DeadlineExceeded))
}

// undo rolls the Deployment back to its previous revision when its rollout
// really failed, and returns cause saying what happened.
func (o *ImageOptions) undo(ctx context.Context, cause error, timedOut bool) error {
	var revision int64
	err := o.Apply(ctx, o.client, o.IOStreams, o.name, func(ctx context.Context) (strategy.Plan, error) {
		d, replicaSets, err := o.client.RolloutHistory(ctx, o.name)
		if err != nil {
			return strategy.Plan{}, err
		}
		if !strategy.RolloutFailed(d, o.images, timedOut) {
			return strategy.Plan{}, errRolloutStands
		}
		plan, rev, err := strategy.PlanRollback(d, replicaSets)
		revision = rev
		return plan, err
	})
	switch {
	case errors.Is(err, errRolloutStands):
		return cli.ResumeHint(cause, o.hint())
	case err != nil:
		return fmt.Errorf("%v; --undo-on-failure could not roll it back: %w", cause, err)
	}
	return fmt.Errorf("%v; --undo-on-failure rolled deployment %s back to revision %d", cause, o.name, revision)
}

func (o *ImageOptions) hint() string {
	return fmt.Sprintf("the new image is set and the rollout goes on; run the same command again to keep waiting, or roll back with 'kubectl rollout undo deployment/%s'", o.name)
}
