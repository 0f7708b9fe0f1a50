package httproute

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseHeaderAndCookie(t *testing.T) {
	for in, want := range map[string]string{
		"X-Canary=always":   "Exact X-Canary always",
		"X-User~^(ann|bo)$": "RegularExpression X-User ^(ann|bo)$",
		"X=a=b":             "Exact X a=b",
	} {
		h, err := ParseHeader(in)
		if got := fmt.Sprintf("%s %s %s", h.Type, h.Name, h.Value); err != nil || got != want {
			t.Errorf("ParseHeader(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"X-Canary=a\nb":                  `the value "a\nb" holds a control character (such as a newline), which no HTTP header value can carry`,
		strings.Repeat("x", 257) + "=1":  "the header name is 257 characters long, more than the 256 an HTTPRoute allows",
		"X=" + strings.Repeat("v", 4097): "the value is 4097 characters long, more than the 4096 an HTTPRoute allows",
	} {
		if _, err := ParseHeader(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseHeader(%.40q) = %v, want %q", in, err, want)
		}
	}
	if err := ValidateCookie(strings.Repeat("c", 4100)); err == nil || !strings.Contains(err.Error(), "the cookie name is 4100 characters long: matched in the Cookie header it would take 4120 of the 4096 characters an HTTPRoute allows a header match") {
		t.Errorf("a cookie name too long: %v", err)
	}
}
