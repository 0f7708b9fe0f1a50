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
		Short: "Progressive delivery of plain Deployments, StatefulSets and DaemonSets, from kubectl",
		Long: `kubectl ship runs progressive delivery on ordinary Deployments, StatefulSets,
DaemonSets and Services, with the kubeconfig contexts you already have and
nothing installed in the cluster: what ship creates stays usable with
kubectl rollout.

  - Canaries that take their share of the traffic by pods (1 of 4 pods is 25%),
    or an exact weight through a Gateway API HTTPRoute or ingress-nginx, with
    header and cookie rules; then promote or abort.
  - Blue-green releases: the idle color brought up, then the Services (or the
    route, all at once or in steps) switched to it and back.
  - StatefulSets and DaemonSets released in place: the canary by the
    StatefulSet's partition (the highest ordinals) or by the DaemonSet's
    nodes, with the same steps, gates and waves.
  - Steps that advance by themselves while health gates are checked: the
    pods, the traffic, Prometheus analysis and webhooks; a failed gate rolls
    the release back.
  - Release policies kept with the application, pauses that wait for approve
    or reject, and notifications.
  - Fleets: the same release across kubeconfig contexts, in waves with a soak
    between them; and a live dashboard of every release.`,
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
	root.AddCommand(newCmdOptions(root))
	setHelp(root)
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
