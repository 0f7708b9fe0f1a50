package kube

import "os"

// processRuns reports whether process pid exists: on Windows, whether it
// can be opened.
func processRuns(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
