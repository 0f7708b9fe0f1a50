package printers

import (
	"fmt"
	"io"
	"strings"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// statefulStatus writes a StatefulSet release: the StatefulSet with its
// partition and revisions, then its pods by role and each role's share of
// the ready pods.
func statefulStatus(w io.Writer, st *release.Status) error {
	ss := st.StatefulSet
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "STATEFULSET\tREPLICAS\tPARTITION\tCURRENT REVISION\tUPDATE REVISION\tROLLOUT")
	fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", esc(ss.Name), ss.Replicas, ss.Partition, esc(ss.CurrentRevision), esc(ss.UpdateRevision), esc(ss.Message))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "ROLE\tREVISION\tIMAGES\tPODS\tREADY\tTRAFFIC (READY PODS)")
	for _, r := range ss.Roles {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%.1f%%\n", r.Role, esc(r.Revision), Images(r.Containers), esc(strings.Join(r.Pods, ",")), r.Ready, len(r.Pods), r.Share)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return warnings(w, st)
}
