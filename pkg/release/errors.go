package release

import (
	"errors"
	"fmt"
)

// NotReleaseError says there is no release by that name: no such
// Deployment, or no Service routes to it. status exits 3 on it.
type NotReleaseError struct {
	msg string
	// noDeployment: no Deployment has the name (see NoDeployment).
	noDeployment bool
}

func (e *NotReleaseError) Error() string { return e.msg }

// NotRelease returns a NotReleaseError with a formatted message.
func NotRelease(format string, args ...any) error {
	return &NotReleaseError{msg: fmt.Sprintf(format, args...)}
}

// NoDeployment says that no Deployment of namespace is called name: a
// StatefulSet may be.
func NoDeployment(name, namespace string) error {
	return &NotReleaseError{msg: fmt.Sprintf("deployment %s not found in namespace %s", name, namespace), noDeployment: true}
}

// IsNoDeployment reports whether err is NoDeployment's.
func IsNoDeployment(err error) bool {
	var e *NotReleaseError
	return errors.As(err, &e) && e.noDeployment
}

// AmbiguousError says that several Deployments made by hand could each be
// the release's canary or green: which one is for the user to name
// (--canary, --green). status exits 6 on it, and list shows the release as
// Ambiguous.
type AmbiguousError struct{ msg string }

func (e *AmbiguousError) Error() string { return e.msg }
