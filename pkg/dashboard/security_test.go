package dashboard

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestHostsAllowOnlyTheDashboardsOwnAddress(t *testing.T) {
	loopback := hostsOf(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3100})
	anyAddress := hostsOf(&net.TCPAddr{IP: net.IPv4zero, Port: 3100})
	tests := []struct {
		name  string
		hosts hosts
		host  string
		want  bool
	}{
		{"its address", loopback, "127.0.0.1:3100", true},
		{"localhost", loopback, "localhost:3100", true},
		{"IPv6 loopback", loopback, "[::1]:3100", true},
		{"another port", loopback, "127.0.0.1:3101", false},
		{"no port", loopback, "127.0.0.1", false},
		{"a name rebound to 127.0.0.1", loopback, "evil.example:3100", false},
		{"a name ending in localhost", loopback, "evil.localhost.example:3100", false},
		{"another address", loopback, "10.0.0.5:3100", false},
		{"0.0.0.0: any IP of the machine", anyAddress, "10.0.0.5:3100", true},
		{"0.0.0.0: never a name", anyAddress, "dashboard.example:3100", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hosts.allow(tt.host); got != tt.want {
				t.Errorf("allow(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

// Every answer carries the strict headers and no CORS header; a request
// without the session, from another Host, or changing something without
// the page's token, from another origin, or with a form body is refused.
func TestGuardRefusesWhatIsNotThePage(t *testing.T) {
	e := &fakeEngine{feeds: map[string]*fakeFeed{"prod": newFeed(canary("ctwoc", 25))}}
	s, ts, client := dashboard(t, e, "prod")
	body := `{"context":"prod","namespace":"demo","name":"ctwoc","action":"promote"}`
	tests := []struct {
		name    string
		req     func() *http.Request
		session bool
		status  int
		want    string
	}{
		{"the page", func() *http.Request { r, _ := http.NewRequest("GET", ts.URL+"/", nil); return r }, true, 200, "ctwoc"},
		{"no session", func() *http.Request { r, _ := http.NewRequest("GET", ts.URL+"/", nil); return r }, false, 403, "carries a token"},
		{"a wrong token", func() *http.Request { r, _ := http.NewRequest("GET", ts.URL+"/?token=nope", nil); return r }, false, 403, "carries a token"},
		{"another Host", func() *http.Request {
			r, _ := http.NewRequest("GET", ts.URL+"/", nil)
			r.Host = "evil.example:" + s.hosts.port
			return r
		}, true, 403, "answers to its own address only"},
		{"a WebSocket from another site", func() *http.Request {
			r, _ := http.NewRequest("GET", ts.URL+"/events?view=overview", nil)
			r.Header.Set("Origin", "http://evil.example")
			r.Header.Set("Upgrade", "websocket")
			r.Header.Set("Connection", "Upgrade")
			return r
		}, true, 403, "from another origin"},
		{"a plan without the token", func() *http.Request { return post(ts.URL+"/api/plan", body, "", "") }, true, 403, "missing or wrong X-Ship-Csrf token"},
		{"a run with a wrong token", func() *http.Request { return post(ts.URL+"/api/run", body, "x", "") }, true, 403, "missing or wrong X-Ship-Csrf token"},
		{"a run from another origin", func() *http.Request { return post(ts.URL+"/api/run", body, s.csrf, "http://evil.example") }, true, 403, "from another origin"},
		{"a run as a form", func() *http.Request {
			r := post(ts.URL+"/api/run", body, s.csrf, "")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, true, 403, "must be application/json"},
		{"a run without a session", func() *http.Request { return post(ts.URL+"/api/run", body, s.csrf, "") }, false, 403, "carries a token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client
			if !tt.session {
				c = &http.Client{}
			}
			res, err := c.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, res.Body)
			if res.StatusCode != tt.status || !strings.Contains(b.String(), tt.want) {
				t.Errorf("%s: want %d with %q\n%s", res.Status, tt.status, tt.want, b.String())
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			for name := range res.Header {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("a CORS header: %s", name)
				}
			}
		})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.runs) != 0 {
		t.Errorf("%d runs, want none", len(e.runs))
	}
}

func post(url, body, csrf, origin string) *http.Request {
	r, _ := http.NewRequest("POST", url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		r.Header.Set(csrfHeader, csrf)
	}
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	return r
}
