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

// AmbiguousError says that several Deployments made by hand could each be
// the release's canary or green: which one is for the user to name
// (--canary, --green). status exits 6 on it, and list shows the release as
// Ambiguous.
type AmbiguousError struct{ msg string }

func (e *AmbiguousError) Error() string { return e.msg }
