package gate

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseQueryResponse(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		value      float64
		ok         bool
		err        string
	}{
		{name: "one sample", body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"app":"web"},"value":[1700000000.5,"0.25"]}]}}`, value: 0.25, ok: true},
		{name: "scalar", body: `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}`, value: 3, ok: true},
		{name: "empty vector", body: `{"status":"success","data":{"resultType":"vector","result":[]}}`, value: math.NaN()},
		{name: "NaN sample", body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}`, value: math.NaN(), ok: true},
		{name: "infinity", body: `{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}`, value: math.Inf(1), ok: true},
		{name: "several samples", body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a"},"value":[1,"1"]},{"metric":{"pod":"b"},"value":[1,"2"]}]}}`,
			err: "the query returned 2 samples, want one number: aggregate them, e.g. with sum()"},
		{name: "matrix", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`,
			err: "the query returned a matrix, want one number (a vector of one sample or a scalar)"},
		{name: "string", body: `{"status":"success","data":{"resultType":"string","result":[1,"hello"]}}`,
			err: "the query returned a string, want one number"},
		{name: "error status", body: `{"status":"error","errorType":"bad_data","error":"parse error"}`, err: "prometheus answered error: parse error"},
		{name: "not JSON", body: "<html>\n<body>proxy</body>", err: "prometheus answered something that is not its API's JSON: <html>"},
		{name: "value not a number", body: `{"status":"success","data":{"resultType":"scalar","result":[1,"x"]}}`, err: `a sample value that is not a number: "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value, ok, err := parseQueryResponse([]byte(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.ok || !(value == tc.value || math.IsNaN(value) && math.IsNaN(tc.value)) {
				t.Errorf("got %g, %v; want %g, %v", value, ok, tc.value, tc.ok)
			}
		})
	}
}

// serve starts an HTTP server on 127.0.0.1 answering with h.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestQuerySendsTheQuery(t *testing.T) {
	var got string
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path + "?" + r.URL.Query().Get("query")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}`))
	})
	p := &Prometheus{URL: url + "/api/v1/namespaces/mon/services/prom:9090/proxy/"}
	if _, _, err := p.Query(context.Background(), `sum(x{a="b"})`); err != nil {
		t.Fatal(err)
	}
	if want := `/api/v1/namespaces/mon/services/prom:9090/proxy/api/v1/query?sum(x{a="b"})`; got != want {
		t.Errorf("request %q, want %q", got, want)
	}
}

func TestQueryErrors(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"prometheus rejects the query", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""}`))
		}, `prometheus answered HTTP 400 Bad Request: 1:5: parse error: unexpected "}"`},
		{"the service proxy finds no endpoint", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no endpoints available for service \"prom\"","reason":"ServiceUnavailable","code":503}`))
		}, `prometheus answered HTTP 503 Service Unavailable: no endpoints available for service "prom"`},
		{"a proxy's HTML page", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("\n<html>bad gateway</html>\n"))
		}, "prometheus answered HTTP 502 Bad Gateway: <html>bad gateway</html>"},
		// Never followed: the query would go to another server.
		{"a redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/api/v1/query", http.StatusTemporaryRedirect)
		}, "prometheus answered HTTP 307 Temporary Redirect: redirected to http://127.0.0.1:1/api/v1/query, not followed"},
		{"no answer in time", func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}, "prometheus at http://127.0.0.1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Prometheus{URL: serve(t, tc.h), Timeout: 200 * time.Millisecond}
			_, _, err := p.Query(context.Background(), "x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name == "no answer in time" && !strings.HasSuffix(err.Error(), ": no answer within 200ms") {
				t.Errorf("error %q does not say it timed out", err)
			}
		})
	}
}

func TestQueryUnreachable(t *testing.T) {
	p := &Prometheus{URL: "http://user:secret@" + closedAddress(t)}
	_, _, err := p.Query(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v, want connection refused without the password", err)
	}
}

// closedAddress is a 127.0.0.1 address nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
