package status

import (
	"context"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// runFleet reads the release in every context at once: one row each, as
// list shows releases, or one list of statuses with their context.
func (o *Options) runFleet(ctx context.Context) error {
	contexts, results, err := cli.ReadFleet(ctx, o.Fleet, func(ctx context.Context, name string) (*release.Status, error) {
		t := o.target
		t.Context = name
		return o.engine.Status(ctx, t)
	})
	if err != nil {
		return err
	}
	now := time.Now()
	outcomes := make([]fleet.Outcome, len(results))
	rows := make([]fleet.Result[[]metav1.TableRow], len(results))
	out := fleet.NewList("ReleaseStatusList")
	for i, r := range results {
		rows[i] = fleet.Result[[]metav1.TableRow]{Context: r.Context, Err: r.Err}
		out.Items = append(out.Items, fleet.Item{Context: r.Context, Err: r.Err})
		if r.Err != nil {
			outcomes[i] = fleet.Classify(r.Err)
			continue
		}
		out.Items[i].Object = r.Value
		rows[i].Value = printers.ReleaseTable(&release.StatusList{Items: []*release.Status{r.Value}}, now).Rows
		if r.Value.Phase == release.PhaseDegraded {
			outcomes[i] = fleet.Degraded
		}
	}
	err = o.Output.Print(o.Out, out, func(w io.Writer) error {
		columns := printers.ReleaseTable(&release.StatusList{}, now).ColumnDefinitions
		// The age is list's: a status does not read it.
		return fleet.PrintTable(w, columns, rows, fleet.TableOptions{Wide: true, Hide: []string{"Age"}})
	})
	if err != nil {
		return err
	}
	return cli.FleetExit(contexts, outcomes)
}
