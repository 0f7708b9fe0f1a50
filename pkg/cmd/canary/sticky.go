package canary

import (
	"fmt"
	"strconv"
)

// stickyValue is --sticky[=SECONDS]: on its own it turns ClientIP session
// affinity on with the Kubernetes default timeout; with a value it sets the
// timeout too.
type stickyValue struct {
	enabled bool
	seconds int32
}

const stickyDefault = "default"

func (s *stickyValue) String() string {
	switch {
	case !s.enabled:
		return ""
	case s.seconds == 0:
		return stickyDefault
	}
	return strconv.Itoa(int(s.seconds))
}

func (s *stickyValue) Set(v string) error {
	if v == stickyDefault {
		s.enabled, s.seconds = true, 0
		return nil
	}
	// The API server accepts 1 to 86400 seconds (one day).
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 || n > 86400 {
		return fmt.Errorf("want a number of seconds from 1 to 86400")
	}
	s.enabled, s.seconds = true, int32(n)
	return nil
}

func (s *stickyValue) Type() string { return "seconds" }
