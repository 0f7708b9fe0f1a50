package history

import (
	"context"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

var operationColumns = []metav1.TableColumnDefinition{{Name: "Time"}, {Name: "User"}, {Name: "Command"}, {Name: "Result"}}

// runFleet reads the release's history in every context at once: the
// operations of each, in one table (a context with none says so), or one
// list of histories with their context.
func (o *Options) runFleet(ctx context.Context) error {
	read := func(ctx context.Context, name string) (*release.History, error) {
		t := o.target
		t.Context = name
		return o.engine.History(ctx, t)
	}
	return cli.ShowFleet(ctx, o.Fleet, o.Output, o.Out, read, cli.FleetView[*release.History]{
		Kind:     "ReleaseHistoryList",
		Objects:  func(h *release.History) []runtime.Object { return []runtime.Object{h} },
		Rows:     func(h *release.History) []metav1.TableRow { return operationRows(h.Operations) },
		Degraded: func(*release.History) bool { return false },
		Table: func(w io.Writer, rows []fleet.Result[[]metav1.TableRow]) error {
			return fleet.PrintTable(w, operationColumns, rows, fleet.TableOptions{})
		},
	})
}

func operationRows(ops []release.Operation) []metav1.TableRow {
	if len(ops) == 0 {
		return []metav1.TableRow{{Cells: []any{"-", "-", "-", "no kubectl-ship operations recorded"}}}
	}
	rows := make([]metav1.TableRow, len(ops))
	for i, op := range ops {
		rows[i] = metav1.TableRow{Cells: []any{printers.OperationTime(op), printers.OperationUser(op), printers.OperationCommand(op), printers.OperationResult(op)}}
	}
	return rows
}
