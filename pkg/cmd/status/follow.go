package status

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// statusView prints the release's status each time what it shows changed.
type statusView struct {
	o    *Options
	last string
}

// show reads the status and prints it unless it shows what was printed
// last; a release that is not one, or is ambiguous, has its exit status.
func (v *statusView) show(ctx context.Context) (*release.Status, error) {
	st, err := v.o.engine.Status(ctx, v.o.target)
	var notFound *release.NotReleaseError
	var ambiguous *release.AmbiguousError
	switch {
	case errors.As(err, &notFound):
		return nil, &cli.ExitError{Code: exitNotFound, Err: err}
	case errors.As(err, &ambiguous):
		return nil, &cli.ExitError{Code: exitAmbiguous, Err: err}
	}
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := v.o.Output.Print(&out, st, func(w io.Writer) error { return printers.Status(w, st) }); err != nil {
		return nil, err
	}
	// Print only what changed, as kubectl get -w does: most events (an
	// unrelated Deployment of the namespace, a status heartbeat) change
	// nothing shown.
	if text := out.String(); text != v.last {
		if v.last != "" && v.o.Output.Text() {
			fmt.Fprintln(v.o.Out)
		}
		_, _ = io.WriteString(v.o.Out, text)
		v.last = text
	}
	return st, nil
}

// follow shows each change of the status, from st, until the state --until
// waits for, an end that will not reach it, a degraded release, or the
// timeout (an error) or Ctrl-C (none).
func (o *Options) follow(ctx context.Context, view *statusView, st *release.Status) error {
	changes, err := o.engine.Changes(ctx, o.target, st)
	if err != nil {
		return err
	}
	for {
		if reached := untilStates[o.Until]; reached != nil && reached(st) {
			return nil
		}
		if err := o.endedOtherwise(st); err != nil {
			return err
		}
		if err := verdict(st); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &cli.ExitError{Code: exitTimedOut, Err: fmt.Errorf("timed out after %s: release %s is %s", o.Timeout, o.target.Name, st.Phase)}
			}
			return nil
		case <-changes:
			if st, err = view.show(ctx); err != nil {
				return err
			}
		}
	}
}

// endedOtherwise fails --until at once when the release ended the other way
// than the state waited for: it will not get there by itself.
func (o *Options) endedOtherwise(st *release.Status) error {
	outcome := st.Outcome()
	if p := st.Progression; outcome == "" && p != nil && p.Color != "" && p.Phase == release.ProgressionRolledBack {
		outcome = release.ProgressionRolledBack // a switch, switched back
	}
	by := ""
	if p := st.Progression; p != nil && p.EndedBy != "" && p.Phase == outcome {
		by = " by " + release.EscapeTerminal(p.EndedBy)
	} else if last := st.LastOperation; last != nil {
		by = " by " + release.EscapeTerminal(last.Command)
	}
	switch {
	case outcome == release.ProgressionRolledBack && (o.Until == "promoted" || o.Until == "switched" || o.Until == "approved"):
		return &cli.ExitError{Code: exitRolledBack, Err: fmt.Errorf("release %s was rolled back%s, so it will not be %s", st.Name, by, o.Until)}
	case outcome == release.ProgressionPromoted && o.Until == "rolled-back":
		return &cli.ExitError{Code: exitPromoted, Err: fmt.Errorf("release %s was promoted%s, so it will not be rolled back", st.Name, by)}
	}
	return nil
}
