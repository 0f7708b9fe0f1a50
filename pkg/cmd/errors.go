package cmd

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

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

// flagError says why a flag's value was refused when pflag's own words
// mislead: a duration too large for Go's (about 292 years) is written like
// one, and "must be a duration like 30s" does not say what is wrong with it.
func flagError(_ *cobra.Command, err error) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, "invalid argument ")
	if !ok || !strings.HasSuffix(msg, `must be a duration like "30s" or "5m"`) {
		return err
	}
	value, err2 := strconv.QuotedPrefix(rest)
	if err2 != nil {
		return err
	}
	value, _ = strconv.Unquote(value)
	if !durationLike(value) {
		return err
	}
	flag, _, _ := strings.Cut(strings.TrimPrefix(rest[len(strconv.Quote(value)):], " for "), " flag:")
	return fmt.Errorf("invalid argument %q for %s flag: too large: a duration is at most %s", value, flag, time.Duration(math.MaxInt64).Truncate(time.Hour))
}

// durationLike says whether s is written as a duration (digits, a point,
// units), so that time.ParseDuration refused it only for its size.
func durationLike(s string) bool {
	digits := strings.ContainsAny(s, "0123456789")
	return digits && strings.Trim(strings.TrimLeft(s, "+-"), "0123456789.nsuµμmh") == ""
}
