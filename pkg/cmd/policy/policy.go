// Package policy implements `kubectl ship policy`: the release policy a
// release follows, where each of its values comes from, and the checks and
// reference of the document.
package policy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/bluegreen"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/canary"
	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Options holds the flags and state of the policy command.
type Options struct {
	Policy cli.PolicyFlags
	Output *cli.OutputFlags

	target  ship.Target
	factory *cli.Factory
	genericiooptions.IOStreams
}

// NewCmdPolicy returns the policy command, with validate and explain.
func NewCmdPolicy(f *cli.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{Output: cli.NewOutputFlags(), IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "policy NAME [--policy FILE]",
		Short: "Show the release policy a release follows, and where each value comes from",
		Long: `Show the effective release policy of release NAME: what 'kubectl ship canary
NAME --image IMAGE' (or for strategy blueGreen 'kubectl ship bluegreen-switch
NAME') follows when no flag is typed, field by field, with where each
value comes from: --policy FILE, the annotation ` + policy.Annotation + `
of NAME's workload (its Deployment, else its StatefulSet, else its
DaemonSet, as the verbs find it), the namespace default its annotation
` + policy.DefaultsAnnotation + ` names (a ConfigMap whose key ` + policy.DefaultsKey + `
holds the document), or the flag's default. Flags typed on a command go
over all of them, field by field; each field is the flag of the same name.

-o yaml or -o json prints the effective policy as a ReleasePolicy document,
which --policy takes back. One request for a Deployment (a StatefulSet
two, a DaemonSet three: the kinds looked for before it), one more when it
names a namespace default. An invalid policy, or on a DaemonSet a field its
canary cannot follow (route, weightTotal, header, cookie, sticky), is
refused with the field named.`,
		Example: `  kubectl ship policy ctwoc
  kubectl ship policy ctwoc -o yaml > ctwoc-policy.yaml
  kubectl ship policy validate -f ctwoc-policy.yaml
  kubectl ship policy explain steps`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cli.CompleteReleaseNames(f),
		RunE:              cli.RunE(f, o),
	}
	cmd.Flags().StringVar(&o.Policy.File, "policy", "", "A ReleasePolicy document to show over the workload's policy, as --policy does on canary.")
	_ = cmd.MarkFlagFilename("policy", "yaml", "yml", "json")
	o.Output.AddFlags(cmd)
	cmd.AddCommand(newCmdValidate(streams), newCmdExplain(streams))
	return cmd
}

// Complete reads the release's name and the policy file.
func (o *Options) Complete(f *cli.Factory, _ *cobra.Command, args []string) error {
	o.target, o.factory = ship.Target{Name: args[0]}, f
	return o.Policy.Read()
}

// Validate checks -o; it makes no request.
func (o *Options) Validate() error { return o.Output.Validate() }

// Run reads the workload (a Deployment, else a StatefulSet, else a
// DaemonSet, as the verbs find it) and the namespace default it names, and
// prints the effective policy.
func (o *Options) Run(ctx context.Context) error {
	kind, w, r, err := o.factory.Engine().Workload(ctx, o.target)
	if err != nil {
		return err
	}
	layers, err := cli.WorkloadLayers(ctx, kind, w, r)
	if err != nil {
		return err
	}
	if err := o.Policy.CheckFor(kind); err != nil {
		return err
	}
	layers = append(o.Policy.Layers(), layers...)
	// The defaults are those of the verb that follows the policy.
	verb, strategy := canary.NewCmdCanary(o.factory, o.IOStreams), policy.Canary
	if s := policy.Merge(layers...).Spec.Strategy; s != nil && *s == policy.BlueGreen {
		verb, strategy = bluegreen.NewCmdSwitch(o.factory, o.IOStreams), policy.BlueGreen
	}
	eff, err := cli.ApplyPolicy(verb, strategy, nil, layers...)
	if err != nil {
		return err
	}
	doc := policy.New(o.target.Name, eff.Spec)
	// Named as kubectl names it: deployment.apps/ctwoc, daemonset.apps/agent.
	name := kind + ".apps/" + w.GetName()
	return o.Output.Print(o.Out, doc, func(out io.Writer) error { return printEffective(out, name, w.GetNamespace(), eff) })
}

// printEffective writes the effective policy as a table of its fields,
// their values and where each came from, in the order of the document.
func printEffective(w io.Writer, name, namespace string, eff policy.Effective) error {
	esc := release.EscapeTerminal
	fmt.Fprintf(w, "Release policy of %s (namespace %s)\n\n", esc(name), esc(namespace))
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "FIELD\tVALUE\tFROM")
	for _, f := range policy.Fields() {
		source, ok := eff.Sources[f.Name]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, esc(value(f, &eff.Spec)), esc(source))
	}
	return tw.Flush()
}

// value is a field's value on one line: a list's items with "; ".
func value(f policy.Field, s *policy.Spec) string {
	if f.Name == "notify" {
		parts := make([]string, len(s.Notify))
		for i, n := range s.Notify {
			parts[i] = n.NameOr(i) + ": " + n.Flag()
			if len(n.Events) > 0 {
				parts[i] += " (" + strings.Join(n.Events, ",") + ")"
			}
		}
		return strings.Join(parts, "; ")
	}
	return strings.Join(f.Values(s), "; ")
}
