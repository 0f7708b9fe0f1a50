// Package cli holds the plumbing every kubectl-ship verb shares: the flags of
// mutating verbs (output, dry-run, wait, timeout), running a plan, and
// working through several releases.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// The --dry-run strategies, as kubectl names them.
const (
	DryRunNone   = "none"
	DryRunClient = "client"
	DryRunServer = "server"
)

// CrashAfterStepEnv names the testing aid that kills kubectl-ship right
// after the Nth write, to prove every step boundary is safe to stop at.
const CrashAfterStepEnv = "KUBECTL_SHIP_CRASH_AFTER_STEP"

// MutationFlags are the flags of every verb that changes the cluster.
type MutationFlags struct {
	PrintFlags  *genericclioptions.PrintFlags
	DryRun      string
	Wait        bool
	Timeout     time.Duration
	ForceUnlock bool
	// AlsoNeeds are requests the verb may make after its plan, checked
	// before the plan's first write with the plan's own.
	AlsoNeeds []kube.Access

	// command names the operation in the release's lock.
	command *cobra.Command
}

// NewMutationFlags returns the defaults: act for real, wait up to five
// minutes for rollouts, print kubectl-style result lines.
func NewMutationFlags() *MutationFlags {
	return &MutationFlags{
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(kube.Scheme),
		DryRun:     DryRunNone,
		Wait:       true,
		Timeout:    5 * time.Minute,
	}
}

// AddFlags binds the flags to cmd.
func (f *MutationFlags) AddFlags(cmd *cobra.Command) {
	f.command = cmd
	f.PrintFlags.AddFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&f.DryRun, "dry-run", f.DryRun, `Must be "none", "server", or "client". With client, only print the objects that would change; with server, send every write with dryRun=All so the API server checks it without persisting it.`)
	flags.Lookup("dry-run").NoOptDefVal = DryRunClient
	flags.BoolVar(&f.Wait, "wait", f.Wait, "Wait until the pods are ready before returning.")
	flags.DurationVar(&f.Timeout, "timeout", f.Timeout, "How long to wait before giving up (e.g. 90s, 5m); 0 waits forever.")
	flags.BoolVar(&f.ForceUnlock, "force-unlock", false, "Take the release's lock although another operation holds it: only for a lock left by a process that died on another machine, since two operations at once can undo each other's changes.")
	_ = cmd.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{DryRunNone, DryRunClient, DryRunServer}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(f.PrintFlags.AllowedFormats(), cobra.ShellCompDirectiveNoFileComp))
}

// Validate checks the flag values before anything is read or written.
func (f *MutationFlags) Validate() error {
	switch f.DryRun {
	case DryRunNone, DryRunClient, DryRunServer:
	default:
		return fmt.Errorf(`--dry-run must be "none", "server" or "client", not %q`, f.DryRun)
	}
	if f.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative")
	}
	_, err := f.printer("")
	return err
}

// printer prints results with the kubectl-style operation word, marked as a
// dry run where it is one.
func (f *MutationFlags) printer(operation string) (printers.ResourcePrinter, error) {
	f.PrintFlags.NamePrintFlags.Operation = operation
	switch f.DryRun {
	case DryRunClient:
		_ = f.PrintFlags.Complete("%s (dry run)")
	case DryRunServer:
		_ = f.PrintFlags.Complete("%s (server dry run)")
	}
	return f.PrintFlags.ToPrinter()
}

// Apply plans with plan and carries the plan out on release name, under its
// lock: notes and progress to ErrOut, one result per write to Out. With
// --dry-run=client it only prints what would be written.
func (f *MutationFlags) Apply(ctx context.Context, client *kube.Client, streams genericiooptions.IOStreams, name string,
	plan func(context.Context) (strategy.Plan, error)) error {
	if f.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.Timeout)
		defer cancel()
	}
	report := func(step strategy.Step, result runtime.Object) error {
		p, err := f.printer(step.Operation)
		if err != nil {
			return err
		}
		return p.PrintObj(result, streams.Out)
	}
	announced := func(ctx context.Context) (strategy.Plan, error) {
		p, err := plan(ctx)
		if err != nil {
			return p, err
		}
		for _, note := range p.Notes {
			fmt.Fprintln(streams.ErrOut, note)
		}
		if !f.Wait {
			p.Steps = withoutWaits(p.Steps)
		}
		return p, nil
	}
	if f.DryRun == DryRunClient {
		p, err := announced(ctx)
		if err != nil {
			return err
		}
		for _, step := range withoutWaits(p.Steps) {
			if err := report(step, step.Object); err != nil {
				return err
			}
		}
		return nil
	}
	client.ServerDryRun = f.DryRun == DryRunServer
	crashAfter, _ := strconv.Atoi(os.Getenv(CrashAfterStepEnv))
	executor := &kube.Executor{Client: client, Report: report, Progress: streams.ErrOut, CrashAfterStep: crashAfter, AlsoNeeds: f.AlsoNeeds}
	// The release's last operation, as freeing a stale lock found it.
	var last release.Operation
	if !client.ServerDryRun {
		command := f.commandLine(name)
		executor.FreeStale = func(ctx context.Context) (err error) {
			last, err = client.FreeStaleLock(ctx, name, command)
			return err
		}
		executor.Lock = func(ctx context.Context) (func(context.Context, []string, error) error, error) {
			if f.ForceUnlock {
				fmt.Fprintf(streams.ErrOut, "warning: --force-unlock: taking the lock of release %s even if another operation holds it\n", name)
			}
			lock, err := client.Lock(ctx, name, command, f.lockTTL(), f.ForceUnlock)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, changes []string, err error) error {
				op := release.Operation{Time: metav1.Now(), Command: command, Changes: changes}
				if err != nil {
					op.Error = err.Error()
				}
				return lock.Release(ctx, op)
			}, nil
		}
	}
	err := executor.Converge(ctx, announced)
	var nothingLeft *strategy.NothingLeftError
	if errors.As(err, &nothingLeft) {
		if done, ok := f.alreadyDone(last, name); ok {
			fmt.Fprintln(streams.ErrOut, done)
			return nil
		}
	}
	return err
}

// alreadyDone says, when the last operation of release name was this verb
// and it did not fail, that there is nothing left to do: "already promoted"
// is an answer, not an error. An interrupted run counts, since this run
// found nothing left of what it acts on.
func (f *MutationFlags) alreadyDone(last release.Operation, name string) (string, bool) {
	if !strings.HasPrefix(last.Command+" ", f.command.CommandPath()+" "+name+" ") {
		return "", false
	}
	switch {
	case last.Interrupted:
		return fmt.Sprintf("release %s: the interrupted '%s' had made its last change; nothing left to do", name, last.Command), true
	case last.Error == "":
		return fmt.Sprintf("release %s: already done by '%s' at %s; nothing left to do", name, last.Command, last.Time.Format(time.DateTime)), true
	}
	return "", false
}

// commandLine is the command as the release's record keeps it: the verb,
// the release and the verb's own flags; never the connection flags, which
// may carry credentials (--token).
func (f *MutationFlags) commandLine(name string) string {
	words := []string{f.command.CommandPath(), name}
	// LocalFlags is a copy that does not know what was set: ask each flag.
	f.command.LocalFlags().VisitAll(func(flag *pflag.Flag) {
		if flag.Changed {
			words = append(words, "--"+flag.Name+"="+flag.Value.String())
		}
	})
	return strings.Join(words, " ")
}

// lockTTL is how long the lock holds if its process dies: past the
// timeout, so a live operation keeps it.
func (f *MutationFlags) lockTTL() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout + time.Minute
	}
	return 30 * time.Minute
}

func withoutWaits(steps []strategy.Step) []strategy.Step {
	var out []strategy.Step
	for _, s := range steps {
		if s.Action != strategy.Wait {
			out = append(out, s)
		}
	}
	return out
}
