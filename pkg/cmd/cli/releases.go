package cli

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// ReleasesOptions are the options of a verb that takes release names or -l
// and needs nothing but a planner (promote, abort).
type ReleasesOptions struct {
	Selector string
	Service  string
	*MutationFlags
	// ValidateFlags, when set, checks the verb's own flags.
	ValidateFlags func() error
	// After, when set, runs on each release once its plan succeeded.
	After func(ctx context.Context, name string) error

	plan   func(*release.Release) (strategy.Plan, error)
	hint   func(name string) string
	client *kube.Client
	getter *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// BindReleasesVerb gives cmd the flags and behaviour of such a verb: plan
// decides what to change for one release; hint says how to continue after a
// wait was cut short.
func BindReleasesVerb(cmd *cobra.Command, getter *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams,
	plan func(*release.Release) (strategy.Plan, error), hint func(name string) string) *ReleasesOptions {
	o := &ReleasesOptions{MutationFlags: NewMutationFlags(), plan: plan, hint: hint, getter: getter, IOStreams: streams}
	cmd.ValidArgsFunction = CompleteReleaseNames(getter)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(args); err != nil {
			return err
		}
		if err := o.Validate(args); err != nil {
			return err
		}
		return o.Run(cmd.Context(), args)
	}
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Act on every release whose stable Deployment matches this label selector.")
	cmd.Flags().StringVar(&o.Service, "service", "", "The Service that routes to the release, when several select its pods.")
	o.AddFlags(cmd)
	return o
}

// Complete builds the client from the connection flags.
func (o *ReleasesOptions) Complete(_ []string) error {
	var err error
	o.client, err = kube.NewClient(o.getter)
	return err
}

// Validate checks the arguments and flags; it makes no request.
func (o *ReleasesOptions) Validate(args []string) error {
	if err := ValidateTargets(args, o.Selector); err != nil {
		return err
	}
	if o.ValidateFlags != nil {
		if err := o.ValidateFlags(); err != nil {
			return err
		}
	}
	return o.MutationFlags.Validate()
}

// Run resolves the releases and plans and carries out each in turn.
func (o *ReleasesOptions) Run(ctx context.Context, args []string) error {
	names, err := Releases(ctx, o.client, args, o.Selector)
	if err != nil {
		return err
	}
	return ForEach(names, o.ErrOut, func(name string) error {
		if err := ResumeHint(o.ApplyPlan(ctx, name, o.plan), o.hint(name)); err != nil || o.After == nil {
			return err
		}
		return o.After(ctx, name)
	})
}

// ApplyPlan plans release name with plan, from a fresh read, and carries it
// out.
func (o *ReleasesOptions) ApplyPlan(ctx context.Context, name string, plan func(*release.Release) (strategy.Plan, error)) error {
	return o.Apply(ctx, o.client, o.IOStreams, name, func(ctx context.Context) (strategy.Plan, error) {
		rel, err := o.client.LoadRelease(ctx, name, o.Service)
		if err != nil {
			return strategy.Plan{}, err
		}
		return plan(rel)
	})
}
