package cli

import (
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// OutputFlags are -o of the verbs that read: text for people by default,
// json, yaml, name, jsonpath and go-template through cli-runtime's printers.
// Formats a verb renders itself (list's "wide") are text too.
type OutputFlags struct {
	*genericclioptions.PrintFlags
	text map[string]bool
}

// NewOutputFlags returns -o with its default, text, and the verb's own
// text formats.
func NewOutputFlags(textFormats ...string) *OutputFlags {
	text := map[string]bool{"": true}
	for _, f := range textFormats {
		text[f] = true
	}
	return &OutputFlags{PrintFlags: genericclioptions.NewPrintFlags(""), text: text}
}

// Text reports whether the output is for people.
func (f *OutputFlags) Text() bool { return f.text[*f.OutputFormat] }

// Validate checks -o before any request.
func (f *OutputFlags) Validate() error {
	if f.Text() {
		return nil
	}
	_, err := f.ToPrinter()
	return err
}

// Print writes obj with the -o printer, or with text when the output is
// for people.
func (f *OutputFlags) Print(w io.Writer, obj runtime.Object, text func(io.Writer) error) error {
	if f.Text() {
		return text(w)
	}
	p, err := f.ToPrinter()
	if err != nil {
		return err
	}
	return p.PrintObj(obj, w)
}
