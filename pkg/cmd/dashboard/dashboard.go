// Package dashboard implements `kubectl ship dashboard`.
package dashboard

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/dashboard"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Options holds the flags and state of the dashboard command.
type Options struct {
	AllNamespaces bool
	Address       string
	Port          int
	Open          bool
	Fleet         *cli.FleetFlags

	addressSet bool
	engine     *ship.Engine
	genericiooptions.IOStreams
}

// NewOptions returns the dashboard command's defaults: 127.0.0.1:3100.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Address: "127.0.0.1", Port: 3100, Fleet: cli.NewFleetFlags(), IOStreams: streams}
}

// NewCmdDashboard returns the dashboard command.
func NewCmdDashboard(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Serve a live web page of every release, with promote, abort, switch and scale",
		Long: `Serve a web page on this machine of every release of the namespace (every
namespace with -A) of the current context, or of each context --contexts or
--all-contexts names, until interrupted; the address to open is printed.

The overview lists each context's releases as list counts them: strategy,
phase, images, each Service's actual traffic by role (its ready endpoints),
the route's weights, a progression's step and time left, and its gates' last
results, with a search box and a filter for what needs attention (a decision
awaited, degraded, paused, a failing gate, an interrupted operation, an
unreachable context). A release's page adds its pods by revision and
readiness, its routes, its steps and the gates' values over time, its history
and its Events.

The page follows the clusters live: the releases are read once with list's
requests, then kept current from one watch per kind, shared by every tab
(ten tabs cost the API servers what one does), and pushed to the page within
a second of a change. Promote, abort, bluegreen-switch and scale show the
plan that --dry-run=client prints and ask for confirmation, then run through
the same engine as the commands: the same lock, access check and record,
with your kubeconfig's credentials. A refusal (RBAC) shows its reason.

It listens on 127.0.0.1 and answers only to its own address (never another
host name), and only in a browser that opened the printed address, whose
token holds for this run; every action also needs the page's own token.
--address 0.0.0.0 (or another address) lets other machines in and warns.
Exit status: 0 when interrupted, 1 when it cannot listen or read the
kubeconfig.`,
		Example: `  kubectl ship dashboard
  kubectl ship dashboard -A --open
  kubectl ship dashboard --contexts 'prod-*' --port 3200`,
		Args: cobra.NoArgs,
		RunE: cli.RunE(f, o),
	}
	flags := cmd.Flags()
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Show the releases of every namespace.")
	flags.StringVar(&o.Address, "address", o.Address, "The address to listen on; another than 127.0.0.1 lets other machines reach the page.")
	flags.IntVar(&o.Port, "port", o.Port, "The port to listen on; 0 picks a free one.")
	flags.BoolVar(&o.Open, "open", false, "Open the page in the default browser.")
	o.Fleet.AddFlags(cmd)
	// Every context is followed at once, from the start: nothing to pace.
	_ = flags.MarkHidden("parallel")
	return cmd
}

// Complete takes the engine and notes the flags given.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, _ []string) error {
	o.engine = f.Engine()
	o.addressSet = cmd.Flags().Changed("address")
	o.Fleet.Complete(f, cmd)
	return nil
}

// Validate checks the flags; it makes no request.
func (o *Options) Validate() error {
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("--port must be between 0 and 65535, not %d", o.Port)
	}
	if o.Address == "localhost" {
		o.Address = "127.0.0.1"
	}
	if net.ParseIP(o.Address) == nil {
		return fmt.Errorf("--address must be an IP address of this machine (127.0.0.1, 0.0.0.0, ...), not %q", o.Address)
	}
	return o.Fleet.Validate()
}

// Run serves the dashboard until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	contexts, err := o.contexts()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", net.JoinHostPort(o.Address, strconv.Itoa(o.Port)))
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (choose another port with --port)", net.JoinHostPort(o.Address, strconv.Itoa(o.Port)), err)
	}
	server, err := dashboard.Start(ctx, dashboard.Config{Engine: o.engine, Contexts: contexts, AllNamespaces: o.AllNamespaces, Log: o.ErrOut})
	if err != nil {
		_ = l.Close()
		return err
	}
	url := server.URL(l)
	if ip := net.ParseIP(o.Address); !ip.IsLoopback() {
		fmt.Fprintf(o.ErrOut, "warning: listening on %s, not only this machine's loopback: whoever can reach it and has the address below acts on your clusters with your credentials\n", l.Addr())
	}
	fmt.Fprintf(o.Out, "Serving the dashboard at %s\nPress Ctrl-C to stop.\n", url)
	if o.Open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(o.ErrOut, "warning: cannot open a browser (%v): open the address above\n", err)
		}
	}
	return server.Serve(l)
}

// contexts are the contexts shown: those --contexts or --all-contexts
// choose, or the current one.
func (o *Options) contexts() ([]dashboard.Context, error) {
	if !o.Fleet.Enabled() {
		_, current, err := o.engine.Contexts()
		if err != nil {
			return nil, err
		}
		if current == "" {
			current = "current context"
		}
		return []dashboard.Context{{Name: current}}, nil
	}
	names, err := o.Fleet.Select()
	if err != nil {
		return nil, err
	}
	out := make([]dashboard.Context, len(names))
	for i, name := range names {
		out[i] = dashboard.Context{Name: name, Context: name}
	}
	return out, nil
}
