package printers

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// The image columns say what they hold in both strategies: after a switch
// to green, blue's older image is the idle one, not a new one.
var releaseColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string"},
	{Name: "Strategy", Type: "string"},
	{Name: "Phase", Type: "string"},
	{Name: "Stable/Serving", Type: "string", Description: "The images of the stable Deployment; in blue-green, of the serving color, followed by the color"},
	{Name: "Canary/Idle", Type: "string", Description: "The images of the canary; in blue-green, of the idle color, followed by the color"},
	{Name: "Weight", Type: "string", Description: "The canary's share of ready endpoints (or of the route's traffic), or the serving color"},
	{Name: "Ready", Type: "string"},
	{Name: "Age", Type: "string"},
	{Name: "Services", Type: "string", Priority: 1},
	{Name: "Traffic", Type: "string", Priority: 1},
}

// ReleaseTable lays out releases as a table for cli-runtime's table
// printer, which adds the namespace column (-A) and the wide columns (-o
// wide). now is the clock the ages are counted against.
func ReleaseTable(list *release.StatusList, now time.Time) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: releaseColumns}
	for _, st := range list.Items {
		current, next := imageColumns(st)
		weight := "-"
		var ready, desired int32
		var services, traffic []string
		for _, d := range st.Deployments {
			ready += d.ReadyReplicas
			desired += d.Replicas
			if d.Serving != nil && *d.Serving {
				weight = d.Role
			}
		}
		for _, s := range st.Services {
			services = append(services, esc(s.Name))
			traffic = append(traffic, Traffic(s))
			if st.Strategy == release.StrategyCanary && weight == "-" {
				weight = fmt.Sprintf("%.1f%%", s.Traffic[release.RoleCanary])
			}
		}
		if ss := st.StatefulSet; ss != nil {
			current, next, weight = statefulColumns(ss)
			ready, desired = ss.ReadyReplicas, ss.Replicas
		}
		if ds := st.DaemonSet; ds != nil {
			current, next, weight = daemonColumns(ds)
			ready, desired = ds.Ready, ds.Desired
			if len(ds.CanaryNodes) > 0 {
				traffic = []string{"canary nodes " + esc(strings.Join(ds.CanaryNodes, ","))}
			}
		}
		if w := RouteWeight(st); w != "" {
			weight = w
		}
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []any{esc(st.Name), st.Strategy, st.Phase, current, next, weight, fmt.Sprintf("%d/%d", ready, desired),
				duration.HumanDuration(now.Sub(st.CreationTimestamp.Time)), strings.Join(services, ","), strings.Join(traffic, "; ")},
			Object: runtime.RawExtension{Object: st},
		})
	}
	return table
}

// imageColumns are the cells of the two image columns: stable and canary,
// or in blue-green the serving and the idle color, each followed by its
// color. When the Services disagree on the serving color, blue is put
// first.
func imageColumns(st *release.Status) (current, next string) {
	next = "-"
	for _, d := range st.Deployments {
		images := Images(d.Containers)
		if st.Strategy == release.StrategyBlueGreen {
			images += " (" + d.Role + ")"
		}
		switch {
		case d.Serving != nil && *d.Serving, d.Serving == nil && (d.Role == release.RoleStable || d.Role == string(release.Blue)):
			current = images
		default:
			next = images
		}
	}
	return current, next
}
