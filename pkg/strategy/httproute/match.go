package httproute

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// token is an HTTP header or cookie name, as the Gateway API accepts it.
var token = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

// ParseHeader reads --header: NAME=VALUE matches the value exactly,
// NAME~REGEX by a regular expression.
func ParseHeader(s string) (release.HeaderMatch, error) {
	i := strings.IndexAny(s, "=~")
	if i <= 0 || i == len(s)-1 {
		return release.HeaderMatch{}, fmt.Errorf("%q: want NAME=VALUE (exact) or NAME~REGEX", s)
	}
	m := release.HeaderMatch{Type: "Exact", Name: s[:i], Value: s[i+1:]}
	switch {
	case !token.MatchString(m.Name):
		return release.HeaderMatch{}, fmt.Errorf("%q is not an HTTP header name", m.Name)
	case len(m.Name) > maxHeaderName:
		return release.HeaderMatch{}, fmt.Errorf("the header name is %d characters long, more than the %d an HTTPRoute allows", len(m.Name), maxHeaderName)
	case strings.ContainsFunc(m.Value, isControl):
		return release.HeaderMatch{}, fmt.Errorf("the value %q holds a control character (such as a newline), which no HTTP header value can carry, so no request would ever match", m.Value)
	}
	if s[i] == '~' {
		m.Type = "RegularExpression"
		if _, err := regexp.Compile(m.Value); err != nil {
			return release.HeaderMatch{}, fmt.Errorf("%q is not a regular expression: %v", m.Value, err)
		}
	}
	if len(m.Value) > maxHeaderValue {
		return release.HeaderMatch{}, fmt.Errorf("the value is %d characters long, more than the %d an HTTPRoute allows", len(m.Value), maxHeaderValue)
	}
	return m, nil
}

// isControl reports an ASCII control character: a header value may hold
// none (RFC 9110), the tab aside, and a newline could only end it early.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f
}

// ValidateCookie checks a --cookie name, and that the Cookie header match
// it becomes (cookiePattern) fits in an HTTPRoute.
func ValidateCookie(name string) error {
	switch {
	case !token.MatchString(name) || strings.Contains(name, "~"):
		return fmt.Errorf("%q is not a cookie name", name)
	case len(cookiePattern(name)) > maxHeaderValue:
		return fmt.Errorf("the cookie name is %d characters long: matched in the Cookie header it would take %d of the %d characters an HTTPRoute allows a header match", len(name), len(cookiePattern(name)), maxHeaderValue)
	}
	return nil
}
