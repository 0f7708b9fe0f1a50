package gate

import (
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	for _, tc := range []struct{ in, base, str string }{
		{"http://prometheus.monitoring:9090", "http://prometheus.monitoring:9090", "http://prometheus.monitoring:9090"},
		{"https://prom.example.com/prometheus/", "https://prom.example.com/prometheus", "https://prom.example.com/prometheus"},
		{"http://u:pw@127.0.0.1:9090", "http://u:pw@127.0.0.1:9090", "http://127.0.0.1:9090"},
		{"service/monitoring/prometheus:9090", "https://127.0.0.1:6443/api/v1/namespaces/monitoring/services/prometheus:9090/proxy", "service/monitoring/prometheus:9090"},
		{"service/mon/prom-server:web", "https://127.0.0.1:6443/api/v1/namespaces/mon/services/prom-server:web/proxy", "service/mon/prom-server:web"},
	} {
		l, err := ParseLocation(tc.in)
		if err != nil {
			t.Errorf("ParseLocation(%q): %v", tc.in, err)
			continue
		}
		if got := l.BaseURL("https://127.0.0.1:6443/"); got != tc.base {
			t.Errorf("ParseLocation(%q).BaseURL = %q, want %q", tc.in, got, tc.base)
		}
		if got := l.String(); got != tc.str {
			t.Errorf("ParseLocation(%q).String = %q, want %q", tc.in, got, tc.str)
		}
	}
}

func TestParseLocationErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "no prometheus location given: want http(s)://HOST[:PORT][/PATH] or service/NAMESPACE/NAME:PORT"},
		{"prometheus:9090", `"prometheus:9090" is not an http(s) URL: want http(s)://HOST[:PORT][/PATH] or service/NAMESPACE/NAME:PORT`},
		{"ftp://prom", `"ftp://prom" is not an http(s) URL`},
		{"http://", `"http://" has no host`},
		{"http://prom:0", `"http://prom:0": port "0" is not between 1 and 65535`},
		{"http://prom:99999", `port "99999" is not between 1 and 65535`},
		{"http://prom:9090/?x=1", `"http://prom:9090/?x=1" has a query or fragment`},
		{"http://pr om", `"http://pr om" is not a URL`},
		{"service/prometheus:9090", `"service/prometheus:9090": want exactly service/NAMESPACE/NAME:PORT (want http(s)://HOST[:PORT][/PATH] or service/NAMESPACE/NAME:PORT)`},
		{"service/mon/prom/x:9090", "want exactly service/NAMESPACE/NAME:PORT"},
		{"service/mon/prom", "the service has no port: add :PORT, the port's number or name"},
		{"service/mon/prom:", "the service has no port"},
		{"service/Mon/prom:9090", `namespace "Mon" is not a valid name`},
		{"service/mon/9prom:9090", `service name "9prom" is not a valid name`},
		{"service/mon/prom:70000", "port 70000 is not between 1 and 65535"},
		{"service/mon/prom:we_b", `port "we_b" is neither a number nor a valid port name`},
	} {
		_, err := ParseLocation(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLocation(%q): error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

func TestRedactKeepsOnlyWhatNamesTheEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"http://alice:pw@127.0.0.1:8080/x?token=T&team=a#frag": "http://127.0.0.1:8080/x?team=xxxxx&token=xxxxx",
		"https://bob@prom.example.com/api":                     "https://prom.example.com/api",
		"http://127.0.0.1:8080/x":                              "http://127.0.0.1:8080/x",
		"example/ctwoc:2.0.0":                                  "example/ctwoc:2.0.0",
		`sum(rate(x{a="b"}[1m])) < 0.01`:                       `sum(rate(x{a="b"}[1m])) < 0.01`,
		"service/monitoring/prometheus:9090":                   "service/monitoring/prometheus:9090",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
