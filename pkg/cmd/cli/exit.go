package cli

// ExitError is an error with its own process exit status, for commands
// whose exit codes mean something to scripts: status, and every verb run
// across clusters (fleet.ExitCodes).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }
