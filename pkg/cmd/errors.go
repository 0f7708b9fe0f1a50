package cmd

import (
	"errors"
	"io"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// PrintError writes err the way kubectl does: one line, prefixed "error: ".
func PrintError(w io.Writer, err error) { cli.PrintError(w, err) }

// exitGateFailed is the exit status of an operation its gates rolled back.
const exitGateFailed = 4

// ExitCode is 1 for any error, unless the error carries a code of its own:
// 4 when gates failed (the release rolled back), status's own codes.
func ExitCode(err error) int {
	var coded *cli.ExitError
	switch {
	case errors.As(err, &coded):
		return coded.Code
	case ship.GateFailed(err):
		return exitGateFailed
	}
	return 1
}
