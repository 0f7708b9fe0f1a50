package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/cli"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// PrintError writes err the way kubectl does: one line, prefixed "error: ".
// An error may quote what the cluster holds (an annotation, an image, an
// API server's message), so control characters are escaped: a newline
// cannot forge a line, nor an escape sequence reach the terminal.
func PrintError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %s\n", release.EscapeTerminal(strings.TrimPrefix(err.Error(), "error: ")))
}

// ExitCode is 1 for any error, unless the error carries a code of its own.
func ExitCode(err error) int {
	var coded *cli.ExitError
	if errors.As(err, &coded) {
		return coded.Code
	}
	return 1
}
