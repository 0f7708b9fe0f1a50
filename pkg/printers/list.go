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

var releaseColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string"},
	{Name: "Strategy", Type: "string"},
	{Name: "Phase", Type: "string"},
	{Name: "Image", Type: "string", Description: "What the stable (or serving) Deployment runs"},
	{Name: "New Image", Type: "string", Description: "What the canary (or idle color) runs"},
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
		current, next, weight := "", "-", "-"
		var ready, desired int32
		var services, traffic []string
		for _, d := range st.Deployments {
			ready += d.ReadyReplicas
			desired += d.Replicas
			switch {
			case d.Role == release.RoleCanary || (d.Serving != nil && !*d.Serving):
				next = strings.Join(d.Images, ",")
			default:
				current = strings.Join(d.Images, ",")
			}
			if d.Serving != nil && *d.Serving {
				weight = d.Role
			}
		}
		for _, s := range st.Services {
			services = append(services, s.Name)
			traffic = append(traffic, Traffic(s))
			if st.Strategy == release.StrategyCanary && weight == "-" {
				weight = fmt.Sprintf("%.1f%%", s.Traffic[release.RoleCanary])
			}
		}
		if w := RouteWeight(st); w != "" {
			weight = w
		}
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []any{st.Name, st.Strategy, st.Phase, current, next, weight, fmt.Sprintf("%d/%d", ready, desired),
				duration.HumanDuration(now.Sub(st.CreationTimestamp.Time)), strings.Join(services, ","), strings.Join(traffic, "; ")},
			Object: runtime.RawExtension{Object: st},
		})
	}
	return table
}
