package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Following is what a verb that follows a release policy keeps: --policy
// and --notify, the policies read from the cluster beneath them, the
// effective policy, and the command as typed, which a policy read from the
// cluster goes under.
type Following struct {
	PolicyFlags
	// Extra are the policies read from the cluster beneath the flags: the
	// Deployment's, and the namespace default it names.
	Extra     []policy.Layer
	Effective policy.Effective

	factory        *Factory
	cmd            *cobra.Command
	args           []string
	typedElsewhere []string
}

// Complete reads the policy of --policy and gives the flags of cmd that
// were not typed the values of the policies, when they are for strategy:
// a verb of the other strategy refuses a --policy for it, and follows its
// flags alone beside a Deployment's (ignored says so).
func (p *Following) Complete(f *Factory, cmd *cobra.Command, args []string, strategy string) (ignored string, err error) {
	p.factory, p.cmd, p.args = f, cmd, args
	if flag := cmd.Flags().Lookup("context"); flag != nil && flag.Changed {
		p.typedElsewhere = append(p.typedElsewhere, "context")
	}
	if err := p.Read(); err != nil {
		return "", err
	}
	layers := append(p.Layers(), p.Extra...)
	merged := policy.Merge(layers...)
	if s := merged.Spec.Strategy; s != nil && *s != strategy {
		if p.layer != nil || strategy == policy.Canary {
			return "", fmt.Errorf("the release policy of %s says strategy %s, and 'kubectl ship %s' follows a policy of strategy %s", merged.Sources["strategy"], *s, cmd.Name(), strategy)
		}
		ignored, layers = merged.Sources["strategy"], nil
	} else if s == nil && strategy != policy.Canary && len(layers) > 0 {
		ignored, layers = layers[0].Source, nil // a policy is for canaries unless it says otherwise
	}
	p.Effective, err = ApplyPolicy(cmd, strategy, p.typedElsewhere, layers...)
	return ignored, err
}

// Again makes the verb again with the flags typed over layers read from
// the cluster: remake returns its Options, following beneath, and its
// command; the flags typed are given again, then it is completed and
// validated. Its errors name the policies.
func (p *Following) Again(layers []policy.Layer, remake func(beneath Following) (CommandOptions, *cobra.Command)) (CommandOptions, error) {
	o, cmd := remake(Following{PolicyFlags: PolicyFlags{Recorded: p.Recorded}, Extra: layers, typedElsewhere: p.typedElsewhere})
	err := cmd.Flags().Parse(TypedFlags(p.cmd))
	if err == nil {
		err = o.Complete(p.factory, cmd, p.args)
	}
	if err == nil {
		err = o.Validate()
	}
	if err != nil {
		sources := make([]string, len(layers))
		for i, l := range layers {
			sources[i] = l.Source
		}
		return nil, fmt.Errorf("with the release policy of %s: %w", strings.Join(sources, " over "), err)
	}
	return o, nil
}

// Factory is the factory the verb completed with.
func (p *Following) Factory() *Factory { return p.factory }

// ReadFrom reads the policies the workload w of kind carries, through r;
// none when the progression carried on follows the one it recorded.
func (p *Following) ReadFrom(ctx context.Context, kind string, w metav1.Object, r ship.Reader) ([]policy.Layer, error) {
	if p.Recorded != "" {
		return nil, nil
	}
	return WorkloadLayers(ctx, kind, w, r)
}

// PolicyOptions are the Options of a verb that follows a release policy.
type PolicyOptions interface {
	CommandOptions
	// Following is its policy; Mutating the core of its Options.
	Following() *Following
	Mutating() *Mutation
	// Planner is the planner its flags made.
	Planner() plans.Planner
	// Remake is a new verb of its kind following beneath, and its command.
	Remake(beneath Following) (PolicyOptions, *cobra.Command)
}

// RunFollowing runs o, following the policy its Deployment carries: run
// carries the verb out. When that policy has waves and o runs in one
// cluster, o made again with it runs across them.
func RunFollowing(o PolicyOptions, run func(PolicyOptions) error) error {
	o.Mutating().Resolve = resolver(o)
	err := run(o)
	var waves *AcrossWaves
	if !errors.As(err, &waves) {
		return err
	}
	waves.Options.Mutating().Resolve = resolver(waves.Options)
	return run(waves.Options)
}

func resolver(o PolicyOptions) ship.Resolver {
	return func(ctx context.Context, kind string, w metav1.Object, r ship.Reader) (ship.Resolved, error) {
		return Resolve(ctx, o, kind, w, r)
	}
}

// Resolve makes what a run of o carries out from the policies the workload
// w of kind carries, read through r, under the flags typed: o made again with
// them, its planner, gates and notifications. A Deployment without a
// policy costs nothing. Waves in a run in one cluster end it before any
// write with AcrossWaves.
func Resolve(ctx context.Context, o PolicyOptions, kind string, w metav1.Object, r ship.Reader) (ship.Resolved, error) {
	p := o.Following()
	if err := p.CheckFor(kind); err != nil {
		return ship.Resolved{}, err
	}
	layers, err := p.ReadFrom(ctx, kind, w, r)
	if err != nil {
		return ship.Resolved{}, err
	}
	run := o
	if len(layers) > 0 {
		again, err := p.Again(layers, func(beneath Following) (CommandOptions, *cobra.Command) { return o.Remake(beneath) })
		if err != nil {
			return ship.Resolved{}, err
		}
		run = again.(PolicyOptions)
		run.Mutating().Inherit(o.Mutating())
	}
	m := run.Mutating()
	notifier, err := NewNotifier(ctx, run.Following().Effective.Spec.Notify, r, m.ErrOut)
	if err == nil && len(m.WaveFlags.Waves) > 0 && !o.Mutating().Fleet() {
		m.Notifier = notifier
		return ship.Resolved{}, &AcrossWaves{run}
	}
	res := ship.Resolved{Notifier: notifier}
	if run != o {
		res.Planner, res.Gates = run.Planner(), m.Gates
	}
	return res, err
}

// AcrossWaves ends a run in one cluster whose policy has waves: Options, made
// again with the policy, runs across them.
type AcrossWaves struct{ Options PolicyOptions }

func (e *AcrossWaves) Error() string { return "the release policy runs in waves across contexts" }
