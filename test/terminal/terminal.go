//go:build linux

// Package terminal runs a program on a pseudo-terminal, as a person at a
// terminal would, and reads back what its screen shows: a terminal emulator
// (vt10x) interprets the program's output, so tests assert on the text drawn
// on the screen rather than on escape sequences.
package terminal

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// pollInterval is how often Wait looks at the screen again.
const pollInterval = 20 * time.Millisecond

// Terminal is a program running on a pseudo-terminal of a fixed size.
type Terminal struct {
	cmd    *exec.Cmd
	pty    *os.File
	vt     vt10x.Terminal
	read   chan struct{} // closed when the program's output has ended
	exited chan struct{} // closed when the program has exited
	err    error         // the program's exit status, once exited is closed

	closeOnce sync.Once
	closeErr  error
}

// Start starts cmd on a new pseudo-terminal of cols by rows, as the leader
// of a session of its own, so that Close can end it and everything it
// started. cmd's Stdin, Stdout and Stderr are set to the terminal. Linux
// only, as the local cluster is.
func Start(cmd *exec.Cmd, cols, rows int) (*Terminal, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// If the test process dies (a timeout's panic) before Close, the
	// program goes with it: its children then get the terminal's hang-up.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, fmt.Errorf("starting %s on a pseudo-terminal: %w", cmd.Path, err)
	}
	t := &Terminal{
		cmd: cmd, pty: f,
		// The emulator answers the program's queries (cursor position,
		// device attributes) on the terminal, as a real one does.
		vt:   vt10x.New(vt10x.WithSize(cols, rows), vt10x.WithWriter(f)),
		read: make(chan struct{}), exited: make(chan struct{}),
	}
	go func() {
		defer close(t.read)
		// Parse, not Write: it reads whole runes, so a UTF-8 character
		// split across two reads is not lost. It fails once the program
		// and its children have closed the terminal (EIO).
		br := bufio.NewReader(f)
		for {
			if err := t.vt.Parse(br); err != nil {
				return
			}
		}
	}()
	go func() {
		t.err = cmd.Wait()
		close(t.exited)
	}()
	return t, nil
}

// Screen returns the text on the screen, a line per row, without trailing
// blanks.
func (t *Terminal) Screen() string {
	rows := strings.Split(t.vt.String(), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	return strings.TrimRight(strings.Join(rows, "\n"), "\n")
}

// Type sends keys to the program as if typed: "O" for Shift-O, "\x1b" for
// Escape, "\x03" for Ctrl-C.
func (t *Terminal) Type(keys string) error {
	_, err := t.pty.WriteString(keys)
	return err
}

// Wait waits until ok holds for the screen, and returns that screen. It
// fails, with the last screen in its error, when timeout has passed or the
// program has exited first; what names the awaited state in that error.
func (t *Terminal) Wait(timeout time.Duration, what string, ok func(screen string) bool) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		screen := t.Screen()
		switch {
		case ok(screen):
			return screen, nil
		case t.hasExited():
			// The program's last words may still be on their way.
			select {
			case <-t.read:
			case <-time.After(time.Second):
			}
			return "", fmt.Errorf("%s: the program exited first (%v); its screen:\n%s", what, t.err, t.Screen())
		case time.Now().After(deadline):
			return "", fmt.Errorf("%s: not seen after %s; the screen:\n%s", what, timeout, screen)
		}
		time.Sleep(pollInterval)
	}
}

// WaitForText waits until every one of texts is on the screen.
func (t *Terminal) WaitForText(timeout time.Duration, texts ...string) (string, error) {
	return t.Wait(timeout, fmt.Sprintf("%q on the screen", texts), func(screen string) bool {
		for _, s := range texts {
			if !strings.Contains(screen, s) {
				return false
			}
		}
		return true
	})
}

// Close kills the program and everything it started on the terminal (its
// process group), waits for them and releases the terminal. It returns an
// error only if that fails, not for how the program exited. Calling it
// again returns the same.
func (t *Terminal) Close() error {
	t.closeOnce.Do(func() {
		// The program leads its own session, so its process group is
		// its PID, shared by the children it runs in the foreground. Once
		// it has exited the PID is not ours any more; its children then
		// had the terminal's hang-up signal.
		if !t.hasExited() {
			err := syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
			if err != nil && !errors.Is(err, syscall.ESRCH) {
				t.closeErr = fmt.Errorf("killing %s: %w", t.cmd.Path, err)
			}
		}
		<-t.exited
		t.closeErr = errors.Join(t.closeErr, t.pty.Close())
		<-t.read
	})
	return t.closeErr
}

func (t *Terminal) hasExited() bool {
	select {
	case <-t.exited:
		return true
	default:
		return false
	}
}
