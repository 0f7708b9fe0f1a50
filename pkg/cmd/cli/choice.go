package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Choice is --canary and --green: the Deployment made by hand that is the
// release's canary or green, for when kubectl-ship cannot tell which
// (several candidates), or takes none of its own accord.
type Choice struct {
	Canary, Green string
}

// AddFlags binds --canary and --green to cmd.
func (c *Choice) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.Canary, "canary", "", "The Deployment made by hand that is the release's canary, when kubectl-ship cannot tell which.")
	cmd.Flags().StringVar(&c.Green, "green", "", "The Deployment made by hand that is the release's green, when kubectl-ship cannot tell which.")
}

// Validate checks the flags against release name; it makes no request.
func (c *Choice) Validate(name string) error {
	if c.Canary != "" && c.Green != "" {
		return fmt.Errorf("give --canary or --green, not both: a release has a canary or a green")
	}
	if err := release.CheckChoice(release.RoleCanary, c.Canary, name); err != nil {
		return err
	}
	return release.CheckChoice(release.RoleGreen, c.Green, name)
}
