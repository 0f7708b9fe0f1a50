// Package cmd assembles the kubectl-ship command tree.
package cmd

import (
	"flag"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/abort"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/adopt"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/approve"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/bluegreen"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/canary"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/dashboard"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/history"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/list"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/promote"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/scale"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/set"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/status"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/version"
)

// NewCmdShip returns the root command. It carries kubectl's connection flags
// (--kubeconfig, --context, -n, --as, ...) so every verb reuses the user's
// kubeconfig exactly as kubectl does.
//
// The verbs reach the flags through closures, never through the
// RESTClientGetter interface or a field of type *ConfigFlags: -o go-template
// links text/template, whose reflection makes the linker keep every exported
// method of every type an interface can reach, and ConfigFlags' discovery and
// REST mapper methods would add 0.4 MB that ship never calls.
func NewCmdShip(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{
		Use:   "kubectl-ship",
		Short: "Canary and blue-green releases of plain Deployments and Services",
		Long: `kubectl ship runs progressive delivery on ordinary Deployments and Services:
canary releases that take a share of traffic by replica ratio, promotion and
abort, and blue-green releases switched at the Service selector. Nothing is
installed in the cluster: what ship creates stays usable with kubectl rollout.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ship"},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(flagError)
	flags := root.PersistentFlags()
	configFlags.AddFlags(flags)
	addKlogFlags(flags)

	f := cli.NewFactory(configFlags, streams.ErrOut)
	root.AddCommand(
		canary.NewCmdCanary(f, streams),
		promote.NewCmdPromote(f, streams),
		abort.NewCmdAbort(f, streams),
		bluegreen.NewCmdBlueGreen(f, streams),
		bluegreen.NewCmdSwitch(f, streams),
		adopt.NewCmdAdopt(f, streams),
		scale.NewCmdScale(f, streams),
		set.NewCmdSet(f, streams),
		approve.NewCmdApprove(f, streams),
		approve.NewCmdReject(f, streams),
		history.NewCmdHistory(f, streams),
		list.NewCmdList(f, streams),
		policy.NewCmdPolicy(f, streams),
		status.NewCmdStatus(f, streams),
		dashboard.NewCmdDashboard(f, streams),
		version.NewCmdVersion(f, streams),
	)
	return root
}

// addKlogFlags adds -v and --vmodule, so -v=6 logs every API request the way
// kubectl does; klog's other flags are accepted but hidden.
func addKlogFlags(flags *pflag.FlagSet) {
	goFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(goFlags)
	goFlags.VisitAll(func(f *flag.Flag) {
		pf := pflag.PFlagFromGoFlag(f)
		pf.Hidden = f.Name != "v" && f.Name != "vmodule"
		flags.AddFlag(pf)
	})
}
