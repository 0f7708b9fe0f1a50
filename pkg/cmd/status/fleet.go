package status

import (
	"context"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// runFleet reads the release in every context at once: one row each, as
// list shows releases, or one list of statuses with their context.
func (o *Options) runFleet(ctx context.Context) error {
	now := time.Now()
	read := func(ctx context.Context, name string) (*release.Status, error) {
		t := o.target
		t.Context = name
		return o.engine.Status(ctx, t)
	}
	return cli.ShowFleet(ctx, o.Fleet, o.Output, o.Out, read, cli.FleetView[*release.Status]{
		Kind:    "ReleaseStatusList",
		Objects: func(st *release.Status) []runtime.Object { return []runtime.Object{st} },
		Rows: func(st *release.Status) []metav1.TableRow {
			return printers.ReleaseTable(&release.StatusList{Items: []*release.Status{st}}, now).Rows
		},
		Degraded: func(st *release.Status) bool { return st.Phase == release.PhaseDegraded },
		Table: func(w io.Writer, rows []fleet.Result[[]metav1.TableRow]) error {
			columns := printers.ReleaseTable(&release.StatusList{}, now).ColumnDefinitions
			// The age is list's: a status does not read it.
			return fleet.PrintTable(w, columns, rows, fleet.TableOptions{Wide: true, Hide: []string{"Age"}})
		},
	})
}
