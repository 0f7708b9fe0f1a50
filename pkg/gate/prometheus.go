package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Doer sends one HTTP request: an *http.Client, or one built on the API
// server's authenticated transport to go through its service proxy.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Prometheus queries a Prometheus server's HTTP API (GET /api/v1/query).
type Prometheus struct {
	// Client sends the requests, following no redirect; nil means
	// http.DefaultClient's transport, following none.
	Client Doer
	// URL is where the API answers below /api/v1: "http://prom:9090", or
	// a service proxy URL (see Location.BaseURL).
	URL string
	// Timeout bounds each query; zero means DefaultTimeout.
	Timeout time.Duration
}

// maxResponse bounds what a query may return: a single number is tiny, and
// a query returning a huge matrix is an error anyway.
const maxResponse = 4 << 20

// Query evaluates query now and returns its single number; ok is false when
// there is no data (an empty vector). A result that is not one number (a
// matrix, a string, a vector of several samples) is an error, as are HTTP
// errors, timeouts and Prometheus's own errors; the errors do not repeat the
// query, which the caller names.
func (p *Prometheus) Query(ctx context.Context, query string) (value float64, ok bool, err error) {
	ctx, cancel, timeout := withTimeout(ctx, p.Timeout)
	defer cancel()
	u := strings.TrimSuffix(p.URL, "/") + "/api/v1/query?" + url.Values{"query": {query}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, false, fmt.Errorf("prometheus URL %q: %w", redact(p.URL), err)
	}
	req.Header.Set("Accept", "application/json")
	client := p.Client
	if client == nil {
		client = WithoutRedirects(nil)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false, transportError(ctx, "prometheus at "+redact(p.URL), timeout, err)
	}
	defer resp.Body.Close()
	if err := redirected(resp); err != nil {
		return 0, false, fmt.Errorf("prometheus answered %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	switch {
	case err != nil:
		return 0, false, transportError(ctx, "prometheus at "+redact(p.URL), timeout, err)
	case len(body) > maxResponse:
		return 0, false, fmt.Errorf("prometheus answered more than %d MiB: want a single number", maxResponse>>20)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return 0, false, fmt.Errorf("prometheus answered HTTP %s: %s", resp.Status, bodyReason(body))
	}
	return parseQueryResponse(body)
}

// queryResponse is the envelope of Prometheus's HTTP API.
type queryResponse struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

func parseQueryResponse(body []byte) (float64, bool, error) {
	var r queryResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, false, fmt.Errorf("prometheus answered something that is not its API's JSON: %s", firstLine(body))
	}
	if r.Status != "success" {
		return 0, false, fmt.Errorf("prometheus answered %s: %s", r.Status, r.Error)
	}
	switch r.Data.ResultType {
	case "scalar":
		var point [2]json.RawMessage
		if err := json.Unmarshal(r.Data.Result, &point); err != nil {
			return 0, false, fmt.Errorf("prometheus answered a malformed scalar: %w", err)
		}
		v, err := sampleValue(point[1])
		return v, err == nil, err
	case "vector":
		var samples []struct {
			Value [2]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &samples); err != nil {
			return 0, false, fmt.Errorf("prometheus answered a malformed vector: %w", err)
		}
		switch len(samples) {
		case 0:
			return math.NaN(), false, nil
		case 1:
			v, err := sampleValue(samples[0].Value[1])
			return v, err == nil, err
		}
		return 0, false, fmt.Errorf("the query returned %d samples, want one number: aggregate them, e.g. with sum()", len(samples))
	}
	return 0, false, fmt.Errorf("the query returned a %s, want one number (a vector of one sample or a scalar)", r.Data.ResultType)
}

// sampleValue decodes a sample's value, which the API sends as a string
// ("0.25", "NaN", "+Inf").
func sampleValue(raw json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("prometheus answered a malformed sample value %s", raw)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("prometheus answered a sample value that is not a number: %q", s)
	}
	return v, nil
}

// transportError says why a request got no answer, without the request URL
// (which repeats the whole query): "no answer within 10s", "connection refused".
func transportError(ctx context.Context, what string, timeout time.Duration, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer within %s", what, timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// bodyReason is the message of an error answer: Prometheus's "error" field,
// a Kubernetes Status's "message" (from the API server's service proxy), or
// else the body's first line.
func bodyReason(body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Error != "" {
			return e.Error
		}
		if e.Message != "" {
			return e.Message
		}
	}
	return firstLine(body)
}

// firstLine is the first non-empty line of body, at most 200 bytes of it.
func firstLine(body []byte) string {
	for line := range strings.Lines(string(body)) {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				line = strings.ToValidUTF8(line[:200], "") + "..."
			}
			return line
		}
	}
	return "(empty body)"
}

// redact is the part of a URL that identifies the endpoint: without its
// user information, query and fragment, which may hold credentials.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Redact is raw with the credentials an absolute URL may carry hidden: its
// user information and fragment dropped, each query value replaced by
// "xxxxx" (the names say which endpoint it was). Anything else is returned
// as it is. What ship keeps in the cluster (the command line in the
// release's record and Events) goes through it.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User == nil && u.RawQuery == "" && u.Fragment == "" {
		return raw
	}
	query := u.Query()
	for k := range query {
		query[k] = []string{"xxxxx"}
	}
	u.User, u.RawQuery, u.Fragment = nil, query.Encode(), ""
	return u.String()
}

// RedirectError is an answer that redirects elsewhere: never followed, as
// a POST would turn into a body-less GET and the gate would judge another
// endpoint than the one given.
type RedirectError struct {
	Status, Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("HTTP %s: redirected to %s, not followed", e.Status, escapeOrNone(e.Location))
}

func escapeOrNone(s string) string {
	if s == "" {
		return "(no Location)"
	}
	return redact(s)
}

// noRedirects is a client's CheckRedirect that follows none.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// WithoutRedirects is c (nil: http.DefaultClient) made to follow no
// redirect: a gate judges the endpoint it was given, or fails.
func WithoutRedirects(c *http.Client) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	copied := *c
	copied.CheckRedirect = noRedirects
	return &copied
}

// redirected is the RedirectError of a 3xx answer, or nil.
func redirected(resp *http.Response) error {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil
	}
	return &RedirectError{Status: resp.Status, Location: resp.Header.Get("Location")}
}
