// Command floor is the start-up baseline of the benchmark: the least a
// cli-runtime kubectl plugin links (cobra and kubectl's connection flags) and
// one subcommand. kubectl-ship's start-up is measured against it.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

func main() {
	root := &cobra.Command{Use: "floor", SilenceUsage: true}
	genericclioptions.NewConfigFlags(true).AddFlags(root.PersistentFlags())
	version := &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "Client Version: v0.0.0-floor")
		},
	}
	// Accepted so that every binary is measured with the same arguments.
	version.Flags().Bool("client", false, "Print the client version only.")
	root.AddCommand(version)
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
