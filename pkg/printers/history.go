package printers

import (
	"fmt"
	"io"
	"strings"
	"time"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// History writes the revisions of a release's stable Deployment (or its
// StatefulSet's) and the
// operations kubectl-ship ran on it. The record is an annotation anyone who
// may update the Lease can rewrite, so all of it is escaped.
func History(w io.Writer, h *release.History) error {
	fmt.Fprintf(w, "Release %s (namespace %s)\n\n", esc(h.Name), esc(h.Namespace))
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "REVISION\tCREATED\tIMAGES\tCHANGE-CAUSE")
	for _, r := range h.Revisions {
		number := fmt.Sprint(r.Revision)
		switch {
		case r.Current:
			number += " (current)"
		case r.Update:
			number += " (update)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", number, r.Created.Format(time.DateTime), Images(r.Containers), esc(r.ChangeCause))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	lock := "lease " + esc(release.LockName(h.Name))
	if h.RecordError != "" {
		fmt.Fprintf(w, "The record of kubectl-ship operations cannot be read (%s): it is kept as it is in %s, and the next command starts a new record beside it.\n",
			esc(cut(h.RecordError)), lock)
	}
	for _, k := range h.KeptRecords {
		fmt.Fprintf(w, "An earlier record that could not be read is kept in %s, annotation %s.\n", lock, esc(k))
	}
	if len(h.Operations) == 0 {
		if h.RecordError != "" {
			return nil
		}
		_, err := fmt.Fprintln(w, "No kubectl-ship operations recorded.")
		return err
	}
	tw = cliprinters.GetNewTabWriter(w) // its own widths
	fmt.Fprintln(tw, "TIME\tUSER\tCOMMAND\tRESULT")
	for _, op := range h.Operations {
		if op.Unreadable != "" {
			fmt.Fprintf(tw, "-\t-\t-\tunreadable entry, kept as it is: %s\n", esc(cut(op.Unreadable)))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", op.Time.Format(time.DateTime), esc(cut(OperationUser(op))), esc(cut(OperationCommand(op))), esc(cut(OperationResult(op))))
	}
	return tw.Flush()
}

// maxField bounds what a table cell shows of a field of the record, which
// anyone who may update the Lease can make as long as an annotation: the
// rest is cut, and -o json shows all of it.
const maxField = 300

// cut is s bounded to maxField characters, saying how much was cut.
func cut(s string) string {
	runes := []rune(s)
	if len(runes) <= maxField {
		return s
	}
	return fmt.Sprintf("%s... (%d more characters: -o json shows all)", string(runes[:maxField]), len(runes)-maxField)
}

// OperationResult says what an operation changed, or why it stopped.
func OperationResult(op release.Operation) string {
	result := strings.Join(op.Changes, ", ")
	if op.Error != "" {
		result = strings.TrimPrefix(result+"; ", "; ") + "stopped: " + op.Error
	}
	if result == "" {
		result = "no change"
	}
	if len(op.Warnings) > 0 {
		result += "; warning: " + strings.Join(op.Warnings, "; ")
	}
	return result
}

// OperationUser is who ran an operation: the Kubernetes identity, then the
// local account in parentheses ("alice (root@vm)"); "-" for one recorded
// before ship recorded users.
func OperationUser(op release.Operation) string {
	switch {
	case op.User == "" && op.From == "":
		return "-"
	case op.From == "":
		return op.User
	case op.User == "":
		return "(" + op.From + ")"
	}
	return op.User + " (" + op.From + ")"
}

// OperationTime is an operation's time as history shows it.
func OperationTime(op release.Operation) string { return op.Time.Format(time.DateTime) }

// OperationCommand is an operation's command as history shows it: with its
// wave when a fleet ran it ("... (wave 2/3)"), and the fleet's command when
// it was a cluster's rollback.
func OperationCommand(op release.Operation) string {
	switch f := op.Fleet; {
	case f == nil:
		return op.Command
	case f.Command != "":
		return fmt.Sprintf("%s (rollback in wave %d/%d of: %s)", op.Command, f.Wave, f.Waves, f.Command)
	}
	return fmt.Sprintf("%s (wave %d/%d)", op.Command, op.Fleet.Wave, op.Fleet.Waves)
}
