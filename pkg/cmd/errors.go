package cmd

import (
	"errors"
	"io"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
)

// PrintError writes err the way kubectl does: one line, prefixed "error: ".
func PrintError(w io.Writer, err error) { cli.PrintError(w, err) }

// ExitCode is 1 for any error, unless the error carries a code of its own.
func ExitCode(err error) int {
	var coded *cli.ExitError
	if errors.As(err, &coded) {
		return coded.Code
	}
	return 1
}
