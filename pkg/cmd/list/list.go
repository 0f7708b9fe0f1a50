// Package list implements `kubectl ship list`.
package list

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Options holds the flags and state of the list command.
type Options struct {
	AllNamespaces bool
	Selector      string
	NoHeaders     bool
	Output        *cli.OutputFlags
	Fleet         *cli.FleetFlags

	selector labels.Selector
	engine   *ship.Engine
	genericiooptions.IOStreams
}

// NewOptions returns the list command's defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{Output: cli.NewOutputFlags("wide"), Fleet: cli.NewFleetFlags(), IOStreams: streams}
}

// NewCmdList returns the list command.
func NewCmdList(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewOptions(streams)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the releases of a namespace, with their strategy, images and actual weight",
		Long: `List every release of the namespace (every namespace with -A): each Deployment
kubectl-ship did not create, with its strategy, what it and its canary or idle
color run, the canary's actual share of ready endpoints (or the serving
color), and its ready pods. StatefulSets and DaemonSets are releases too: a
StatefulSet's canary weight is its share of the pods, with the partition; a
DaemonSet's, its share of the nodes (-o wide names the canary's nodes). Six
list requests, however many releases and pods; StatefulSets or DaemonSets
the user may not list are left out quietly.

` + cli.FleetReadHelp,
		Example: `  kubectl ship list
  kubectl ship ls -A -o wide
  kubectl ship list -l tier=frontend -o json
  kubectl ship list --contexts 'prod-*'`,
		Args: cobra.NoArgs,
		RunE: cli.RunE(f, o),
	}
	o.Output.AddFlags(cmd)
	flags := cmd.Flags()
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "List the releases of every namespace.")
	flags.StringVarP(&o.Selector, "selector", "l", "", "Only releases whose Deployment matches this label selector.")
	flags.BoolVar(&o.NoHeaders, "no-headers", false, "Print no header line.")
	o.Fleet.AddFlags(cmd)
	return cmd
}

// Complete takes the engine.
func (o *Options) Complete(f *cli.Factory, cmd *cobra.Command, _ []string) error {
	o.engine = f.Engine()
	o.Fleet.Complete(f, cmd)
	return nil
}

// Validate parses the selector and checks -o; it makes no request.
func (o *Options) Validate() error {
	var err error
	if o.selector, err = labels.Parse(o.Selector); err != nil {
		return fmt.Errorf("-l %q: %v", o.Selector, err)
	}
	if err := o.Fleet.Validate(); err != nil {
		return err
	}
	if o.Fleet.Enabled() && *o.Output.OutputFormat == "name" {
		return fmt.Errorf("-o name: across contexts, use -o json or yaml, which give each release's context")
	}
	return o.Output.Validate()
}

// Run lists the releases and prints them.
func (o *Options) Run(ctx context.Context) error {
	if o.Fleet.Enabled() {
		return o.runFleet(ctx)
	}
	list, target, err := o.engine.List(ctx, ship.Target{}, o.AllNamespaces, o.selector)
	if err != nil {
		return err
	}
	output := *o.Output.OutputFormat
	if !o.Output.Text() {
		p, err := o.Output.ToPrinter()
		if err != nil {
			return err
		}
		if output != "name" {
			return p.PrintObj(list, o.Out)
		}
		// cli-runtime's name printer takes only its own list types.
		for _, st := range list.Items {
			if err := p.PrintObj(st, o.Out); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list.Items) == 0 {
		where := "in " + target.Namespace + " namespace"
		if o.AllNamespaces {
			where = "in any namespace"
		}
		fmt.Fprintf(o.ErrOut, "No releases found %s.\n", where)
		return nil
	}
	table := cliprinters.NewTablePrinter(cliprinters.PrintOptions{
		NoHeaders: o.NoHeaders, Wide: output == "wide", WithNamespace: o.AllNamespaces,
	})
	return table.PrintObj(printers.ReleaseTable(list, time.Now()), o.Out)
}
