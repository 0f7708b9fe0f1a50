package list

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// runFleet lists the releases of every context at once into one table,
// or one list with each release's context.
func (o *Options) runFleet(ctx context.Context) error {
	now := time.Now()
	read := func(ctx context.Context, name string) (*release.StatusList, error) {
		list, _, err := o.engine.List(ctx, ship.Target{Context: name}, o.AllNamespaces, o.selector)
		return list, err
	}
	return cli.ShowFleet(ctx, o.Fleet, o.Output, o.Out, read, cli.FleetView[*release.StatusList]{
		Kind: "ReleaseStatusList",
		Objects: func(list *release.StatusList) []runtime.Object {
			objects := make([]runtime.Object, len(list.Items))
			for i, st := range list.Items {
				objects[i] = st
			}
			return objects
		},
		Rows: func(list *release.StatusList) []metav1.TableRow { return printers.ReleaseTable(list, now).Rows },
		Degraded: func(list *release.StatusList) bool {
			return slices.ContainsFunc(list.Items, func(st *release.Status) bool { return st.Phase == release.PhaseDegraded })
		},
		Table: func(w io.Writer, rows []fleet.Result[[]metav1.TableRow]) error {
			if !slices.ContainsFunc(rows, func(r fleet.Result[[]metav1.TableRow]) bool { return r.Err != nil || len(r.Value) > 0 }) {
				fmt.Fprintf(o.ErrOut, "No releases found in %d contexts.\n", len(rows))
				return nil
			}
			columns := printers.ReleaseTable(&release.StatusList{}, now).ColumnDefinitions
			return fleet.PrintTable(w, columns, rows, fleet.TableOptions{
				Wide: *o.Output.OutputFormat == "wide", WithNamespace: o.AllNamespaces, NoHeaders: o.NoHeaders,
			})
		},
	})
}
