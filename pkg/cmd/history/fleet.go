package history

import (
	"context"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	contexts, results, err := cli.ReadFleet(ctx, o.Fleet, func(ctx context.Context, name string) (*release.History, error) {
		t := o.target
		t.Context = name
		return o.engine.History(ctx, t)
	})
	if err != nil {
		return err
	}
	outcomes := make([]fleet.Outcome, len(results))
	rows := make([]fleet.Result[[]metav1.TableRow], len(results))
	out := fleet.NewList("ReleaseHistoryList")
	for i, r := range results {
		outcomes[i] = fleet.Classify(r.Err)
		rows[i] = fleet.Result[[]metav1.TableRow]{Context: r.Context, Err: r.Err}
		item := fleet.Item{Context: r.Context, Err: r.Err}
		if r.Err == nil {
			item.Object = r.Value
			rows[i].Value = operationRows(r.Value.Operations)
		}
		out.Items = append(out.Items, item)
	}
	err = o.Output.Print(o.Out, out, func(w io.Writer) error {
		return fleet.PrintTable(w, operationColumns, rows, fleet.TableOptions{})
	})
	if err != nil {
		return err
	}
	return cli.FleetExit(contexts, outcomes)
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
