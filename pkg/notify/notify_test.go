package notify

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// event is a paused event as a progression sends it, at a frozen time.
func event(t Type) Event {
	return Event{Type: t, Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), Context: "prod-eu", Cluster: "eu-1", Namespace: "shop",
		Release: "web", Images: []string{"web=example/web:2.0"}, Weight: 25, Step: 2, Steps: 3, User: "alice",
		Continue: "kubectl ship approve web --context prod-eu -n shop", Rollback: "kubectl ship abort web --context prod-eu -n shop"}
}

func TestHeadlines(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{event(Started), "Release web (namespace shop, context prod-eu): started on web=example/web:2.0"},
		{event(StepReached), "Release web (namespace shop, context prod-eu): reached step 2 of 3 (25%)"},
		{event(Paused), "Release web (namespace shop, context prod-eu): paused at step 2 of 3 (25%), awaiting approval"},
		{func() Event { e := event(Approved); e.Reason = "flat"; return e }(), "Release web (namespace shop, context prod-eu): step 2 of 3 (25%) approved by alice: flat"},
		{func() Event { e := event(RolledBack); e.Reason = "error rate 0.2"; return e }(), "Release web (namespace shop, context prod-eu): rolled back: error rate 0.2"},
		{event(Promoted), "Release web (namespace shop, context prod-eu): promoted"},
	}
	for _, tt := range tests {
		if got := Headline(tt.e); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.e.Type, got, tt.want)
		}
	}
}

func TestSlackMessage(t *testing.T) {
	e := event(Paused)
	e.Reason = "<@here> & co"
	raw, err := Slack(e)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string `json:"type"`
			Text     *struct{ Type, Text string }
			Elements []struct{ Type, Text string }
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.Text, ": &lt;@here&gt; &amp; co") || len(m.Blocks) != 3 || m.Blocks[0].Type != "section" || m.Blocks[1].Type != "context" {
		t.Fatalf("message: %s", raw)
	}
	if facts := m.Blocks[1].Elements[0].Text; facts != "context prod-eu · cluster eu-1 · namespace shop · images web=example/web:2.0 · by alice" {
		t.Errorf("facts: %q", facts)
	}
	if next := m.Blocks[2].Text.Text; next != "To go on: `kubectl ship approve web --context prod-eu -n shop`\nTo roll back: `kubectl ship abort web --context prod-eu -n shop`" {
		t.Errorf("next: %q", next)
	}
}

func TestCloudEvent(t *testing.T) {
	raw, err := CloudEvents(event(RolledBack))
	if err != nil {
		t.Fatal(err)
	}
	var ce map[string]any
	if err := json.Unmarshal(raw, &ce); err != nil {
		t.Fatal(err)
	}
	data, _ := ce["data"].(map[string]any)
	if ce["specversion"] != "1.0" || ce["type"] != "dev.kubectl-ship.release.rolledBack" || ce["source"] != "/kubectl-ship/prod-eu/shop/web" ||
		ce["subject"] != "web" || ce["time"] != "2025-03-01T12:00:00Z" || ce["datacontenttype"] != "application/json" || len(ce["id"].(string)) != 32 ||
		data["context"] != "prod-eu" || data["cluster"] != "eu-1" || data["weight"] != 25.0 || data["user"] != "alice" {
		t.Errorf("event: %s", raw)
	}
}

// recorder is a loopback receiver that records the types posted to it.
type recorder struct {
	mu    sync.Mutex
	types []string
}

func (r *recorder) handler(status int, hang time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var e struct {
			Data Event `json:"data"`
		}
		body, _ := io.ReadAll(req.Body)
		_ = json.Unmarshal(body, &e)
		r.mu.Lock()
		r.types = append(r.types, string(e.Data.Type))
		r.mu.Unlock()
		select {
		case <-time.After(hang):
		case <-req.Context().Done():
		}
		w.WriteHeader(status)
	})
}

// Each receiver gets its events in order; one that fails is a warning that
// names it, never its URL; Flush sums each receiver's failures up once.
func TestSenderDeliversInOrderAndWarns(t *testing.T) {
	var ok, failing recorder
	good := httptest.NewServer(ok.handler(http.StatusOK, 0))
	defer good.Close()
	bad := httptest.NewServer(failing.handler(http.StatusBadGateway, 0))
	defer bad.Close()
	var warnings bytes.Buffer
	s := NewSender([]Receiver{
		{Name: "events", Format: "cloudevents", URL: good.URL + "/hooks/SECRET1"},
		{Name: "chat", Format: "cloudevents", URL: bad.URL + "/hooks/SECRET2", Events: map[Type]bool{Started: true, Promoted: true}},
	}, nil, &syncWriter{w: &warnings})
	for _, typ := range []Type{Started, StepReached, Paused, Approved, StepReached, Promoted} {
		s.Notify(event(typ))
	}
	failed := s.Flush()
	if got := strings.Join(ok.types, " "); got != "started stepReached paused approved stepReached promoted" {
		t.Errorf("delivered %q", got)
	}
	if got := strings.Join(failing.types, " "); got != "started promoted" {
		t.Errorf("the receiver's own events: %q", got)
	}
	if len(failed) != 1 || failed[0] != "notification chat (cloudevents) of started, promoted not delivered: HTTP 502 Bad Gateway" {
		t.Errorf("Flush: %q", failed)
	}
	if strings.Count(warnings.String(), "warning: ") != 2 || strings.Contains(warnings.String()+strings.Join(failed, ""), "SECRET") {
		t.Errorf("warnings:\n%s", warnings.String())
	}
	if again := s.Flush(); len(again) != 0 {
		t.Errorf("a second Flush repeats: %q", again)
	}
}

// A receiver that does not answer holds Flush up no longer than one
// Timeout after the last event, however many wait for it.
func TestSenderGivesUpAtEachEventsDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a delivery's timeout")
	}
	var hanging recorder
	server := httptest.NewServer(hanging.handler(http.StatusOK, time.Minute))
	defer server.Close()
	s := NewSender([]Receiver{{Name: "slow", Format: "slack", URL: server.URL}}, nil, nil)
	start := time.Now()
	for _, typ := range []Type{Started, StepReached, StepReached, Promoted} {
		s.Notify(event(typ))
	}
	failed := s.Flush()
	if took := time.Since(start); took > Timeout+2*time.Second {
		t.Errorf("Flush took %s for 4 events to a receiver that hangs", took)
	}
	if len(failed) != 1 || !strings.HasSuffix(failed[0], "not delivered: no answer within 5s") {
		t.Errorf("Flush: %q", failed)
	}
}

// syncWriter serializes the writes of the receivers' goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
