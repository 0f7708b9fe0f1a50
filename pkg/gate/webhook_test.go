package gate

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWebhook(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		verdict Verdict
		reason  string
	}{
		{"2xx passes", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }, Pass, "HTTP 202 Accepted"},
		{"500 fails with the body's first line", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "\n  load test failed: p99 812ms  \nstack trace...")
		}, Fail, "HTTP 500 Internal Server Error: load test failed: p99 812ms"},
		{"an empty error body", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, Fail, "HTTP 403 Forbidden: (empty body)"},
		// Followed, the POST would turn into a GET of another endpoint.
		{"a redirect fails, not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/ok?token=t", http.StatusFound)
		}, Fail, "HTTP 302 Found: redirected to http://127.0.0.1:1/ok, not followed"},
		{"no answer in time fails", func(_ http.ResponseWriter, r *http.Request) {
			// Read first: the server notices the client hanging up only
			// once the body is consumed.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}, Fail, "webhook: no answer within 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWebhook(serve(t, tc.h) + "/hook?token=secret")
			if err != nil {
				t.Fatal(err)
			}
			w.Timeout = 200 * time.Millisecond
			r := w.Bind(&Payload{Release: "web"}).Check(context.Background())
			if r.Verdict != tc.verdict || r.Reason != tc.reason {
				t.Errorf("got %s %q, want %s %q", r.Verdict, r.Reason, tc.verdict, tc.reason)
			}
			if !strings.HasPrefix(r.Gate, "webhook http://127.0.0.1:") || !strings.HasSuffix(r.Gate, "/hook") {
				t.Errorf("gate name %q, want the URL without its query", r.Gate)
			}
		})
	}
}

func TestWebhookPayload(t *testing.T) {
	var got map[string]any
	var contentType string
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		contentType = r.Header.Get("Content-Type")
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	w := &Webhook{URL: url}
	p := Payload{Context: "prod-eu", Server: "https://10.0.0.1:6443", Release: "web", Namespace: "prod", Step: 2, Weight: 25, ActualWeight: 25,
		Phase: "Progressing", Images: map[string]string{"app": "example/web:2.0.0"}}
	if r := w.Send(context.Background(), p); r.Verdict != Pass {
		t.Fatalf("got %s", r)
	}
	body, _ := json.Marshal(got)
	want := `{"actualWeight":25,"apiVersion":"kubectl-ship.dev/v1alpha1","context":"prod-eu","images":{"app":"example/web:2.0.0"},"kind":"GateRequest","namespace":"prod","phase":"Progressing","release":"web","server":"https://10.0.0.1:6443","step":2,"weight":25}`
	if string(body) != want || contentType != "application/json" {
		t.Errorf("received %s as %q, want %s as application/json", body, contentType, want)
	}
}

func TestWebhookUnreachable(t *testing.T) {
	w := &Webhook{URL: "http://" + closedAddress(t)}
	r := w.Send(context.Background(), Payload{})
	if r.Verdict != Fail || !strings.Contains(r.Reason, "webhook: dial tcp") || !strings.Contains(r.Reason, "connection refused") {
		t.Errorf("got %s, want a failure saying the connection was refused", r)
	}
}

func TestParseWebhookErrors(t *testing.T) {
	for in, want := range map[string]string{
		"hooks.example.com/x": `"hooks.example.com/x" is not an http(s) URL: want http(s)://HOST[:PORT][/PATH]`,
		"https://":            `"https://" has no host: want http(s)://HOST[:PORT][/PATH]`,
	} {
		if _, err := ParseWebhook(in); err == nil || err.Error() != want {
			t.Errorf("ParseWebhook(%q): error %v, want %q", in, err, want)
		}
	}
}
