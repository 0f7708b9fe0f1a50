package canary

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Remake is a canary command following beneath: the canary the
// Deployment's policy asks for, once the flags typed are given again.
func (o *Options) Remake(beneath cli.Following) (cli.PolicyOptions, *cobra.Command) {
	fresh := NewOptions(o.IOStreams)
	fresh.Policy = beneath
	return fresh, newCmd(o.Policy.Factory(), fresh)
}

// Following is the policy the canary follows.
func (o *Options) Following() *cli.Following { return &o.Policy }

// Mutating is the core of its Options.
func (o *Options) Mutating() *cli.Mutation { return o.Mutation }

// Planner is the canary its flags made.
func (o *Options) Planner() plans.Planner { return o.planner }

// resume is what the progression's record keeps to be carried on by
// another process, in this cluster: the flags typed, but those that are
// this process's (the file, a dry run, the waves), and the policy beneath
// them, but its waves.
func (o *Options) resume() *release.Resume {
	if o.cmd == nil {
		return nil
	}
	r := &release.Resume{
		Args:   cli.TypedFlags(o.cmd, "policy", "dry-run", "force-unlock", "wave", "contexts", "all-contexts", "soak", "on-failure", "parallel"),
		Policy: cli.Document(o.target.Name, append(o.Policy.Layers(), o.Policy.Extra...), "waves", "soak", "onFailure"),
	}
	// Credentials in a URL never reach the cluster: such a progression is
	// carried on only by its own command, which approve then says.
	words := strings.FieldsFunc(r.Policy, func(c rune) bool { return unicode.IsSpace(c) || strings.ContainsRune(`"',`, c) })
	for _, w := range append(words, r.Args...) {
		if gate.Redact(w) != w {
			return nil
		}
	}
	return r
}

// Resume carries on release t's progression rec as the command that
// started it would, in this process, with the policy it recorded: what
// approve and reject do when no process runs it.
func Resume(ctx context.Context, f *cli.Factory, streams genericiooptions.IOStreams, t ship.Target, rec *release.Progression) error {
	if rec.Resume == nil {
		return fmt.Errorf("the progression of release %s does not record how it was started (a URL it was given carries credentials, which ship keeps out of the cluster): run its command again to carry it on", t.Name)
	}
	o := NewOptions(streams)
	o.Policy.Recorded = rec.Resume.Policy
	cmd := newCmd(f, o)
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ship canary"}
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(append([]string{t.Name}, rec.Resume.Args...))
	return cmd.ExecuteContext(ctx)
}
