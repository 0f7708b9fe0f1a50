// Package approve implements `kubectl ship approve` and `kubectl ship
// reject`: a person's verdict on the pause a progression awaits.
package approve

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/canary"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Options holds the flags and state of approve and reject.
type Options struct {
	Reason   string
	Service  string
	approved bool

	target  ship.Target
	command string
	factory *cli.Factory
	engine  *ship.Engine
	genericiooptions.IOStreams
}

const approveLong = `Approve the pause release NAME's progression awaits (a "pause" step of
canary --steps, or of its release policy), recording who approved, as the
API server authenticated them, and why (--reason): in the release's record,
which status and history show, and as an Event on the Deployment. It needs
only the right to update the release's Lease (kubectl-ship-NAME), as
deploy/rbac/role.yaml grants.

The process that runs the progression in the foreground sees the approval
arrive, says it, notifies, and goes on to the next step. When no process
runs it (its command was interrupted, or killed, while it awaited the
approval), approve carries the progression on itself, in the foreground, as
the command that started it would, with the policy it recorded, until the
progression ends or reaches its next pause; stopped (Ctrl-C), its command,
which 'kubectl ship history NAME' shows, resumes it.

Exit status is 0 once the approval is recorded (and, when approve carries
the progression on, once it ended), 1 when nothing awaits approval or the
user may not give it, 4 when the progression it carried on was rolled back
by its gates.`

// NewCmdApprove returns the approve command.
func NewCmdApprove(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{approved: true, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "approve NAME [--reason TEXT]",
		Short: "Approve the pause a release's progression awaits, so that it goes on",
		Long:  approveLong,
		Example: `  kubectl ship approve ctwoc --reason "error rate flat for an hour"
  kubectl ship status ctwoc --until approved   # a pipeline waiting for it`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.addFlags(cmd, "Why it is approved, for the record.")
	return cmd
}

// NewCmdReject returns the reject command.
func NewCmdReject(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "reject NAME --reason TEXT",
		Short: "Reject the pause a release's progression awaits, which rolls it back",
		Long: `Reject the pause release NAME's progression awaits, recording who rejected it
and why, as approve records an approval. The process that runs the
progression sees the rejection arrive, rolls the canary back exactly as
'kubectl ship abort' does, records the reason, notifies, and exits 4. When no
process runs it, reject rolls it back itself.

Exit status is 0 once the rejection is recorded (and, when reject rolls the
canary back itself, once it is gone), 1 when nothing awaits approval or the
user may not give a verdict.`,
		Example:           `  kubectl ship reject ctwoc --reason "p99 latency doubled in eu-west"`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	o.addFlags(cmd, "Why it is rejected, for the record (required).")
	return cmd
}

func (o *Options) addFlags(cmd *cobra.Command, reason string) {
	cmd.Flags().StringVar(&o.Reason, "reason", "", reason)
	cmd.Flags().StringVar(&o.Service, "service", "", "The Service that routes to the release, when several select its pods.")
}

// Complete reads the release's name, the engine and the command line.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, args []string) error {
	o.target = ship.Target{Name: args[0], Service: o.Service}
	o.factory, o.engine = f, f.Engine()
	o.command = cli.CommandLine(cmd, args)
	return nil
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	if !o.approved && o.Reason == "" {
		return fmt.Errorf("--reason is required: say why the release is rejected, for the record")
	}
	return nil
}

// Run records the verdict; with no process to carry the progression on,
// it carries it on itself.
func (o *Options) Run(ctx context.Context) error {
	j, err := o.engine.Judge(ctx, o.target, ship.Verdict{Approved: o.approved, Reason: o.Reason, Command: o.command, Notifier: o.notifier(ctx)})
	if err != nil {
		return err
	}
	word, next := "rejected", "rolls back"
	if o.approved {
		word, next = "approved", "goes on"
	}
	p := j.Progression
	fmt.Fprintf(o.Out, "release/%s %s (step %d of %d)\n", o.target.Name, word, p.Step+1, len(p.Steps))
	if j.Runner != "" {
		fmt.Fprintf(o.ErrOut, "the progression %s in %s\n", next, release.EscapeTerminal(j.Runner))
		return nil
	}
	fmt.Fprintf(o.ErrOut, "no process runs the progression of release %s: this one (%s) carries it on until it ends or pauses again; stopped, it resumes with its command (kubectl ship history %s)\n",
		o.target.Name, ship.Process(), o.target.Name)
	return canary.Resume(ctx, o.factory, o.IOStreams, o.target, p)
}

// notifier makes, from the policy the progression recorded, what tells of
// the verdict when no process runs the progression.
func (o *Options) notifier(ctx context.Context) func(*release.Progression, ship.Reader) (ship.Notifier, error) {
	return func(p *release.Progression, r ship.Reader) (ship.Notifier, error) {
		if p.Resume == nil {
			return nil, nil
		}
		doc, err := policy.Parse([]byte(p.Resume.Policy))
		if err != nil {
			return nil, fmt.Errorf("the progression's record: %w", err)
		}
		// --notify typed when it started is among its flags.
		receivers := doc.Spec.Notify
		for i, arg := range p.Resume.Args {
			if arg == "--notify" && i+1 < len(p.Resume.Args) {
				n, err := policy.ParseNotifyFlag(p.Resume.Args[i+1])
				if err != nil {
					return nil, err
				}
				receivers = append(receivers, n)
			}
		}
		return cli.NewNotifier(ctx, receivers, r, o.ErrOut)
	}
}
