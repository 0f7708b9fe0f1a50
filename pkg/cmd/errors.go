package cmd

import (
	"fmt"
	"io"
	"strings"
)

// PrintError writes err the way kubectl does: one line, prefixed "error: ".
func PrintError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %s\n", strings.TrimPrefix(err.Error(), "error: "))
}
