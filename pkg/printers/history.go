package printers

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

const timeLayout = "2006-01-02 15:04:05"

// History writes the revisions of a release's stable Deployment and the
// operations kubectl-ship ran on it. The record is an annotation anyone who
// may update the Lease can rewrite, so all of it is escaped.
func History(w io.Writer, h *release.History) error {
	fmt.Fprintf(w, "Release %s (namespace %s)\n\n", esc(h.Name), esc(h.Namespace))
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "REVISION\tCREATED\tIMAGES\tCHANGE-CAUSE")
	for _, r := range h.Revisions {
		number := fmt.Sprint(r.Revision)
		if r.Current {
			number += " (current)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", number, r.Created.Format(timeLayout), Images(r.Containers), esc(r.ChangeCause))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(h.Operations) == 0 {
		_, err := fmt.Fprintln(w, "No kubectl-ship operations recorded.")
		return err
	}
	tw = printers.GetNewTabWriter(w) // its own widths
	fmt.Fprintln(tw, "TIME\tUSER\tCOMMAND\tRESULT")
	for _, op := range h.Operations {
		result := strings.Join(op.Changes, ", ")
		if op.Error != "" {
			result = strings.TrimPrefix(result+"; ", "; ") + "stopped: " + op.Error
		}
		if result == "" {
			result = "no change"
		}
		user := op.User
		if user == "" {
			user = "-" // recorded before ship recorded users
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", op.Time.Format(timeLayout), esc(user), esc(op.Command), esc(result))
	}
	return tw.Flush()
}
