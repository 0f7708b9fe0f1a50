package bluegreen

import (
	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
)

// Remake is a bluegreen-switch command following beneath: the switch the
// Deployment's policy of strategy blueGreen asks for, once the flags typed
// are given again.
func (o *SwitchOptions) Remake(beneath cli.Following) (cli.PolicyOptions, *cobra.Command) {
	fresh := NewSwitchOptions(o.IOStreams)
	fresh.Policy = beneath
	return fresh, newCmdSwitch(o.Policy.Factory(), fresh)
}

// Following is the policy the switch follows.
func (o *SwitchOptions) Following() *cli.Following { return &o.Policy }

// Mutating is the core of its Options.
func (o *SwitchOptions) Mutating() *cli.Mutation { return o.Mutation }

// Planner is the switch its flags made.
func (o *SwitchOptions) Planner() plans.Planner { return o.planner }
