package release

import "fmt"

// NotReleaseError says there is no release by that name: no such
// Deployment, or no Service routes to it. status exits 3 on it.
type NotReleaseError struct{ msg string }

func (e *NotReleaseError) Error() string { return e.msg }

// NotRelease returns a NotReleaseError with a formatted message.
func NotRelease(format string, args ...any) error {
	return &NotReleaseError{fmt.Sprintf(format, args...)}
}
