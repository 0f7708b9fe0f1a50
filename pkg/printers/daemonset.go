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
