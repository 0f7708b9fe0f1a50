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
	if err := Routes(w, st); err != nil {
		return err
	}
	return warnings(w, st)
}

// statefulColumns are a StatefulSet release's cells of list's image and
// weight columns: the canary's weight is its share of the pods, by the
// partition ("25.0% (partition 3)").
func statefulColumns(ss *release.StatefulSetStatus) (current, next, weight string) {
	current, next, weight = Images(ss.Roles[0].Containers), "-", "-"
	if len(ss.Roles) > 1 && ss.Replicas > 0 {
		next = Images(ss.Roles[1].Containers)
		weight = fmt.Sprintf("%.1f%% (partition %d)", 100*float64(ss.Replicas-ss.Partition)/float64(ss.Replicas), ss.Partition)
	}
	return current, next, weight
}
