package list

import (
	"context"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// runFleet lists the releases of every context at once into one table,
// or one list with each release's context.
func (o *Options) runFleet(ctx context.Context) error {
	contexts, results, err := cli.ReadFleet(ctx, o.Fleet, func(ctx context.Context, name string) (*release.StatusList, error) {
		list, _, err := o.engine.List(ctx, ship.Target{Context: name}, o.AllNamespaces, o.selector)
		return list, err
	})
	if err != nil {
		return err
	}
	outcomes := make([]fleet.Outcome, len(results))
	now := time.Now()
	rows := make([]fleet.Result[[]metav1.TableRow], len(results))
	out := fleet.NewList("ReleaseStatusList")
	for i, r := range results {
		rows[i] = fleet.Result[[]metav1.TableRow]{Context: r.Context, Err: r.Err}
		if r.Err != nil {
			outcomes[i] = fleet.Classify(r.Err)
			out.Items = append(out.Items, fleet.Item{Context: r.Context, Err: r.Err})
			continue
		}
		rows[i].Value = printers.ReleaseTable(r.Value, now).Rows
		for _, st := range r.Value.Items {
			if st.Phase == release.PhaseDegraded {
				outcomes[i] = fleet.Degraded
			}
			out.Items = append(out.Items, fleet.Item{Context: r.Context, Object: st})
		}
	}
	err = o.Output.Print(o.Out, out, func(w io.Writer) error {
		if len(out.Items) == 0 {
			fmt.Fprintf(o.ErrOut, "No releases found in %d contexts.\n", len(contexts))
			return nil
		}
		columns := printers.ReleaseTable(&release.StatusList{}, now).ColumnDefinitions
		return fleet.PrintTable(w, columns, rows, fleet.TableOptions{
			Wide: *o.Output.OutputFormat == "wide", WithNamespace: o.AllNamespaces, NoHeaders: o.NoHeaders,
		})
	})
	if err != nil {
		return err
	}
	return cli.FleetExit(contexts, outcomes)
}
