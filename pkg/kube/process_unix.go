//go:build !windows

package kube

import (
	"errors"
	"syscall"
)

// processRuns reports whether process pid exists (signal 0 checks, sends
// nothing).
func processRuns(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
