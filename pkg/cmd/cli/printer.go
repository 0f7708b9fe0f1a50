package cli

import (
	"io"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// ResultPrinter prints what a run changed. By default and with -o name, one
// kubectl-style line per change as it is made ("deployment.apps/ctwoc-canary
// created (dry run)"). With -o json, yaml, jsonpath or go-template the
// objects, all at once when the run ends (Flush): one object alone, several
// as a List in json and as documents separated by --- in yaml, a stream
// that kubectl apply takes. A deleted object is never in that stream, where
// it would read as one to apply: its line goes to errOut instead.
type ResultPrinter struct {
	flags  *genericclioptions.PrintFlags
	dryRun ship.DryRun
	out    io.Writer
	errOut io.Writer

	objects []runtime.Object
}

// Report prints or keeps one change.
func (p *ResultPrinter) Report(c ship.Change) error {
	switch {
	case p.lines():
		return p.printLine(c, p.out)
	case c.Action == plans.Delete:
		return p.printLine(c, p.errOut)
	}
	obj := c.Object.DeepCopyObject()
	if accessor, err := meta.Accessor(obj); err == nil {
		accessor.SetManagedFields(nil) // as kubectl get shows objects
	}
	p.objects = append(p.objects, obj)
	return nil
}

// lines reports whether the output is a line per change.
func (p *ResultPrinter) lines() bool {
	format := *p.flags.OutputFormat
	return format == "" || format == "name"
}

func (p *ResultPrinter) printLine(c ship.Change, w io.Writer) error {
	flags := *p.flags
	names := *flags.NamePrintFlags
	flags.NamePrintFlags = &names
	names.Operation = c.Operation
	switch p.dryRun {
	case ship.DryRunClient:
		_ = flags.Complete("%s (dry run)")
	case ship.DryRunServer:
		_ = flags.Complete("%s (server dry run)")
	}
	if *flags.OutputFormat != "name" {
		flags.OutputFormat = new(string) // the default line, even for a deletion under -o json
	}
	printer, err := flags.ToPrinter()
	if err != nil {
		return err
	}
	return printer.PrintObj(c.Object, w)
}

// Flush prints the objects kept, if any.
func (p *ResultPrinter) Flush() error {
	if len(p.objects) == 0 {
		return nil
	}
	printer, err := p.flags.ToPrinter()
	if err != nil {
		return err
	}
	if *p.flags.OutputFormat == "yaml" || len(p.objects) == 1 {
		for _, obj := range p.objects {
			if err := printer.PrintObj(obj, p.out); err != nil {
				return err
			}
		}
		return nil
	}
	list := &metav1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}}
	for _, obj := range p.objects {
		list.Items = append(list.Items, runtime.RawExtension{Object: obj})
	}
	return printer.PrintObj(list, p.out)
}
