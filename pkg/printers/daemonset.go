package printers

import (
	"fmt"
	"io"
	"strings"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// daemonStatus writes a DaemonSet release: the DaemonSet with its update
// strategy and rollout, then each node's pod by role and revision.
func daemonStatus(w io.Writer, st *release.Status) error {
	ds := st.DaemonSet
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "DAEMONSET\tSTRATEGY\tREADY\tCANARY NODES\tROLLOUT")
	canary := "-"
	if len(ds.CanaryNodes) > 0 {
		canary = strings.Join(ds.CanaryNodes, ",")
	}
	fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\t%s\n", esc(ds.Name), ds.UpdateStrategy, ds.Ready, ds.Desired, esc(canary), esc(ds.Message))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "NODE\tPOD\tROLE\tREVISION\tIMAGES\tREADY")
	for _, n := range ds.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\n", esc(n.Node), esc(n.Pod), n.Role, esc(n.Revision), Images(n.Containers), n.Ready)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return warnings(w, st)
}

// daemonColumns are a DaemonSet release's cells of list's image and weight
// columns: the canary's weight is its share of the nodes ("50.0% (2 of 4
// nodes)"); -o wide names them.
func daemonColumns(ds *release.DaemonSetStatus) (current, next, weight string) {
	current, next, weight = Images(ds.Stable), "-", "-"
	if len(ds.Canary) > 0 && ds.Desired > 0 {
		next = Images(ds.Canary)
		weight = fmt.Sprintf("%.1f%% (%d of %d nodes)", 100*float64(len(ds.CanaryNodes))/float64(ds.Desired), len(ds.CanaryNodes), ds.Desired)
	}
	return current, next, weight
}
