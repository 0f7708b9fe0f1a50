// Command testtime times the phases of make test and says where the time
// went. `testtime run PHASE -- CMD [ARGS]` runs one phase: a `go test -json`
// stream is printed as plain go test prints it (the output of failed tests
// and each package's result line), anything else passes through, and the
// phase's wall time and its top-level tests' results are saved. `testtime
// report PHASES` prints a table of those phases, the slowest tests, and
// a closing "total: N passed, N failed" line.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	// A phase's command that failed has said why: exit as it did.
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testtime:", err)
		os.Exit(1)
	}
}

const usage = "usage: testtime run [-expect N] PHASE -- CMD [ARGS] | testtime report [-slowest N] PHASE [PHASES]"

func run(args []string, out, errOut io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dir := fs.String("dir", "_output/testtime", "where the phases' records are kept")
	switch args[0] {
	case "run":
		expect := fs.Int("expect", 0, "fail unless exactly this many top-level tests ran (0: any)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) < 3 || rest[1] != "--" {
			return errors.New(usage)
		}
		return runPhase(*dir, rest[0], *expect, rest[2:], out, errOut)
	case "report":
		slowest := fs.Int("slowest", 10, "how many of the slowest tests to name")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		var phases []phase
		for _, name := range fs.Args() {
			p, err := load(filepath.Join(*dir, name+".json"))
			if err != nil {
				return err
			}
			phases = append(phases, p)
		}
		return report(out, phases, *slowest)
	}
	return fmt.Errorf("unknown command %q: run or report", args[0])
}

// runPhase runs cmd, prints its output through a stream, and saves the
// phase's record even when cmd fails, then returns cmd's error.
func runPhase(dir, name string, expect int, cmd []string, out, errOut io.Writer) error {
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Stdin, c.Stderr = os.Stdin, errOut
	stdout, err := c.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := c.Start(); err != nil {
		return err
	}
	s := newStream(out)
	s.copy(stdout)
	err = c.Wait()
	p := s.phase(name, start, time.Since(start))
	if saveErr := p.save(dir); saveErr != nil && err == nil {
		err = saveErr
	}
	if err == nil && expect > 0 && p.Passed+p.Failed+p.Skipped != expect {
		err = fmt.Errorf("%s ran %d tests, want %d: is a test named in the Makefile gone?", name, p.Passed+p.Failed+p.Skipped, expect)
	}
	return err
}
