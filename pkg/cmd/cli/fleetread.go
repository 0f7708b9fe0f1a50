package cli

import (
	"context"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
)

// FleetView is how a read across contexts shows each context's answer: in
// -o output, a list of Kind holding its Objects; in text, its table Rows.
// A context whose answer is Degraded makes the exit status say so.
type FleetView[T any] struct {
	Kind     string
	Objects  func(T) []runtime.Object
	Rows     func(T) []metav1.TableRow
	Degraded func(T) bool
	// Table prints the rows, one result per context: its rows or its error.
	Table func(w io.Writer, rows []fleet.Result[[]metav1.TableRow]) error
}

// ShowFleet reads with read from every context f selects (ReadFleet),
// prints the answers and errors as view says, and returns the exit status
// of the read (FleetExit).
func ShowFleet[T any](ctx context.Context, f *FleetFlags, output *OutputFlags, out io.Writer, read func(ctx context.Context, context string) (T, error), view FleetView[T]) error {
	contexts, results, err := ReadFleet(ctx, f, read)
	if err != nil {
		return err
	}
	outcomes := make([]fleet.Outcome, len(results))
	rows := make([]fleet.Result[[]metav1.TableRow], len(results))
	list := fleet.NewList(view.Kind)
	for i, r := range results {
		rows[i] = fleet.Result[[]metav1.TableRow]{Context: r.Context, Err: r.Err}
		if r.Err != nil {
			outcomes[i] = fleet.Classify(r.Err)
			list.Items = append(list.Items, fleet.Item{Context: r.Context, Err: r.Err})
			continue
		}
		if view.Degraded(r.Value) {
			outcomes[i] = fleet.Degraded
		}
		rows[i].Value = view.Rows(r.Value)
		for _, obj := range view.Objects(r.Value) {
			list.Items = append(list.Items, fleet.Item{Context: r.Context, Object: obj})
		}
	}
	err = output.Print(out, list, func(w io.Writer) error { return view.Table(w, rows) })
	if err != nil {
		return err
	}
	return FleetExit(contexts, outcomes)
}
