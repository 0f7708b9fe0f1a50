// Package version implements `kubectl ship version`.
package version

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// Versions is what `kubectl ship version -o json|yaml` prints, shaped like
// kubectl's own output.
type Versions struct {
	ClientVersion shipversion.Info `json:"clientVersion"`
	ServerVersion *version.Info    `json:"serverVersion,omitempty"`
}

// Options holds the flags of the version command.
type Options struct {
	ClientOnly bool
	Output     string

	engine *ship.Engine
	genericiooptions.IOStreams
}

// NewOptions returns the version command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{IOStreams: streams}
}

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the client and server versions",
		Long: `Print the version of kubectl-ship and, unless --client is given, of the
Kubernetes API server of the current context (one request to /version).`,
		Args: cobra.NoArgs,
		RunE: cli.RunE(f, o),
	}
	cmd.Flags().BoolVar(&o.ClientOnly, "client", false, "Print the client version only; no request to the server.")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "One of 'yaml' or 'json'.")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete takes the engine; building it makes no request.
func (o *Options) Complete(f *cli.Factory, _ *cobra.Command, _ []string) error {
	if !o.ClientOnly {
		o.engine = f.Engine()
	}
	return nil
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if o.Output != "" && o.Output != "json" && o.Output != "yaml" {
		return fmt.Errorf("--output must be 'yaml' or 'json', not %q", o.Output)
	}
	return nil
}

// Run prints the versions. The client version is printed even when the
// server cannot be reached; the error follows it, as with kubectl version.
func (o *Options) Run(ctx context.Context) error {
	v := Versions{ClientVersion: shipversion.Get()}
	var serverErr error
	if !o.ClientOnly {
		v.ServerVersion, serverErr = o.engine.ServerVersion(ctx, ship.Target{})
	}
	if err := o.print(v); err != nil {
		return err
	}
	return serverErr
}

func (o *Options) print(v Versions) error {
	switch o.Output {
	case "json":
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(o.Out, string(out))
		return err
	case "yaml":
		out, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = o.Out.Write(out)
		return err
	}
	fmt.Fprintf(o.Out, "Client Version: %s\n", v.ClientVersion.GitVersion)
	if v.ServerVersion != nil {
		fmt.Fprintf(o.Out, "Server Version: %s\n", v.ServerVersion.GitVersion)
	}
	return nil
}
