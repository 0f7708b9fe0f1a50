package fleet

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// State is where one cluster ended in a fleet run.
type State string

// The states of the report's table.
const (
	StateNotStarted  State = "not started"
	StateRunning     State = "running"
	StateDone        State = "done"
	StateAlreadyDone State = "already done"
	StateNoChange    State = "no change"
	StatePlanned     State = "planned"
	StateFailed      State = "failed"
	StateRolledBack  State = "rolled back"
	StateStopped     State = "stopped"
	StateUnreachable State = "unreachable"
	// StateRefused is a cluster whose plan would be refused: the fleet
	// then writes nowhere.
	StateRefused State = "refused"
)

// finished says the operation is through in that cluster.
func (s State) finished() bool {
	return s == StateDone || s == StateAlreadyDone || s == StateNoChange || s == StatePlanned
}

// touched says the operation may have changed that cluster, and not undone
// it: what a rollback of the rest would undo.
func (s State) touched() bool {
	return s.finished() && s != StatePlanned || s == StateFailed || s == StateStopped
}

// ClusterState is one row of the report.
type ClusterState struct {
	Wave    int
	Context string
	State   State
	Detail  string
	// Outcome counts toward the exit code.
	Outcome Outcome
}

// Report is the end of a fleet run: every cluster's state, in wave order,
// and the commands that continue it or roll the rest back.
type Report struct {
	Clusters []*ClusterState
	Hints    Hints
}

// Hints are the commands a report ends with.
type Hints struct {
	// Continue is the command as typed, with the connection flags that
	// matter: running it again resumes where the run stopped.
	Continue string
	// Rollback is the command that undoes the operation, without the
	// contexts ("kubectl ship abort ctwoc -n shop"); "" when the verb has
	// none.
	Rollback string
}

// Finished says every cluster ended done (or had nothing to do).
func (r *Report) Finished() bool {
	for _, c := range r.Clusters {
		if !c.State.finished() {
			return false
		}
	}
	return true
}

// ExitCode is 0 when the run finished, else the worst outcome, at least 1.
func (r *Report) ExitCode() int {
	if r.Finished() {
		return 0
	}
	outcomes := []Outcome{Degraded}
	for _, c := range r.Clusters {
		outcomes = append(outcomes, c.Outcome)
	}
	return exitCode(outcomes...)
}

// Print writes the table of every cluster's state, then, unless the run
// finished, the commands to continue it or to roll the rest back.
func (r *Report) Print(w io.Writer) error {
	lines := []line{{cells: []string{"WAVE", "CONTEXT", "STATE", "DETAIL"}}}
	var touched []string
	for _, c := range r.Clusters {
		detail := c.Detail
		if detail == "" {
			detail = "-"
		}
		lines = append(lines, line{cells: []string{strconv.Itoa(c.Wave), c.Context, string(c.State), oneLine(detail)}, runOn: true})
		if c.State.touched() {
			touched = append(touched, c.Context)
		}
	}
	if err := writeAligned(w, lines); err != nil {
		return err
	}
	if r.Finished() {
		return nil
	}
	var hints strings.Builder
	fmt.Fprintf(&hints, "\nTo continue, run the same command again (clusters done answer \"already done\"):\n  %s\n", r.Hints.Continue)
	if r.Hints.Rollback != "" && len(touched) > 0 {
		fmt.Fprintf(&hints, "To roll back the clusters it changed instead:\n  %s --contexts %s\n", r.Hints.Rollback, strings.Join(touched, ","))
	}
	_, err := io.WriteString(w, hints.String())
	return err
}
