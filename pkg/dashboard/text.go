package dashboard

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// urlPattern finds what may be a URL in a text from the cluster: a
// command's --webhook or --prometheus, a gate's name or reason. Compiled on
// first use: every other command of the binary would pay for it at start.
var urlPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s'"]+`) })

// clean is how every string read from the cluster reaches the page: a URL's
// password and query (which may hold a token) dropped, and control
// characters, bidirectional overrides and bytes that are not UTF-8 shown as
// visible escapes (release.EscapeTerminal). html/template then escapes it
// for HTML where it lands.
func clean(s string) string {
	return release.EscapeTerminal(redactURLs(s))
}

// redactURLs drops the password and the query of every URL in s.
func redactURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPattern().ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return "[url]"
		}
		if u.RawQuery != "" {
			u.RawQuery = "REDACTED"
		}
		u.Fragment = ""
		return u.Redacted()
	})
}
