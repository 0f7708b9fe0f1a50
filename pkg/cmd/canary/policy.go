package canary

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// resolve makes the canary the Deployment's policy asks for, under the
// flags typed: the command made again with the policies the Deployment
// carries beneath its flags. A Deployment without a policy costs nothing.
// Waves in the policy of a command run in one cluster end the run before
// any write (acrossWaves): the caller runs it across them.
func (o *Options) resolve(ctx context.Context, d *appsv1.Deployment, r ship.Reader) (ship.Resolved, error) {
	layers, err := cli.WorkloadLayers(ctx, d, r)
	if err != nil {
		return ship.Resolved{}, err
	}
	run := o
	// A progression carried on follows the policy it recorded.
	if len(layers) > 0 && o.Policy.Recorded == "" {
		if run, err = o.again(layers); err != nil {
			return ship.Resolved{}, err
		}
	}
	notifier, err := cli.NewNotifier(ctx, run.effective.Spec.Notify, r, o.ErrOut)
	if err == nil && len(run.WaveFlags.Waves) > 0 && !o.Fleet() {
		run.Notifier = notifier
		return ship.Resolved{}, &acrossWaves{run}
	}
	res := ship.Resolved{Notifier: notifier}
	if run != o {
		res.Planner, res.Gates = run.planner, run.Gates
	}
	return res, err
}

// again is the command made again with the flags typed over layers.
func (o *Options) again(layers []policy.Layer) (*Options, error) {
	fresh := NewOptions(o.IOStreams)
	fresh.Extra, fresh.typedElsewhere = layers, o.typedElsewhere
	cmd := newCmd(o.factory, fresh)
	if err := cmd.Flags().Parse(cli.TypedFlags(o.cmd)); err != nil {
		return nil, err
	}
	err := fresh.Complete(o.factory, cmd, o.args)
	fresh.Mutation.Inherit(o.Mutation)
	if err == nil {
		err = fresh.Validate()
	}
	if err != nil {
		sources := make([]string, len(layers))
		for i, l := range layers {
			sources[i] = l.Source
		}
		return nil, fmt.Errorf("with the release policy of %s: %w", strings.Join(sources, " over "), err)
	}
	return fresh, nil
}

// acrossWaves ends a run in one cluster whose policy has waves.
type acrossWaves struct{ o *Options }

func (e *acrossWaves) Error() string { return "the release policy runs in waves across contexts" }

// resume is what the progression's record keeps to be carried on by
// another process, in this cluster: the flags typed, but those that are
// this process's (the file, a dry run, the waves), and the policy beneath
// them, but its waves.
func (o *Options) resume() *release.Resume {
	if o.cmd == nil {
		return nil
	}
	return &release.Resume{
		Args:   cli.TypedFlags(o.cmd, "policy", "dry-run", "force-unlock", "wave", "contexts", "all-contexts", "soak", "on-failure", "parallel"),
		Policy: cli.Document(o.target.Name, append(o.Policy.Layers(), o.Extra...), "waves", "soak", "onFailure"),
	}
}

// Resume carries on release t's progression rec as the command that
// started it would, in this process, with the policy it recorded: what
// approve and reject do when no process runs it.
func Resume(ctx context.Context, f *cli.Factory, streams genericiooptions.IOStreams, t ship.Target, rec *release.Progression) error {
	if rec.Resume == nil {
		return fmt.Errorf("the progression of release %s does not record how it was started: run its command again to carry it on", t.Name)
	}
	o := NewOptions(streams)
	o.Policy.Recorded = rec.Resume.Policy
	cmd := newCmd(f, o)
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ship canary"}
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(append([]string{t.Name}, rec.Resume.Args...))
	return cmd.ExecuteContext(ctx)
}

// Effective is the policy the canary command follows, with layers beneath
// its flags and none typed: what 'kubectl ship policy' shows.
func Effective(f *cli.Factory, streams genericiooptions.IOStreams, layers []policy.Layer) (policy.Effective, error) {
	return cli.ApplyPolicy(NewCmdCanary(f, streams), policy.Canary, nil, layers...)
}
