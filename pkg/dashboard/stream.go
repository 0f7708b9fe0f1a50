package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// topic is what the tabs showing one view receive as server-sent events:
// each change, as a frame built once for all of them. Tabs cost the API
// servers nothing: the clusters are followed whether zero or ten look.
type topic struct {
	mu      sync.Mutex
	version uint64
	// reset is the frame that brings a tab at any version to this one.
	reset []byte
	subs  map[chan []byte]bool
}

func newTopic() *topic { return &topic{subs: map[chan []byte]bool{}} }

// frame is a server-sent event; its id is the version it brings a tab to,
// which the browser sends back as Last-Event-ID when it reconnects.
func frame(event string, version uint64, data any) []byte {
	raw, _ := json.Marshal(data)
	return []byte(fmt.Sprintf("event: %s\nid: %d\ndata: %s\n\n", event, version, raw))
}

// publish sends change (the frame from the previous version) to every tab,
// and keeps reset for those that connect later. A tab too slow to take it
// is dropped: its browser reconnects and gets reset.
func (t *topic) publish(version uint64, change, reset []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version, t.reset = version, reset
	for ch := range t.subs {
		select {
		case ch <- change:
		default:
			delete(t.subs, ch)
			close(ch)
		}
	}
}

// subscribe adds a tab that has version seen: it gets reset first unless it
// is current.
func (t *topic) subscribe(seen string) (chan []byte, []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch := make(chan []byte, 32)
	t.subs[ch] = true
	if seen == strconv.FormatUint(t.version, 10) || t.reset == nil {
		return ch, nil
	}
	return ch, t.reset
}

func (t *topic) unsubscribe(ch chan []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.subs[ch] {
		delete(t.subs, ch)
		close(ch)
	}
}

// subscribers counts the tabs.
func (t *topic) subscribers() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

// serve streams t to one tab until it goes, or the dashboard stops.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, t *topic) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	seen := r.Header.Get("Last-Event-ID")
	if seen == "" {
		seen = r.URL.Query().Get("v")
	}
	ch, first := t.subscribe(seen)
	defer t.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("retry: 1000\n\n"))
	if first != nil {
		_, _ = w.Write(first)
	}
	flusher.Flush()
	// A comment now and then keeps proxies and the browser from giving up
	// on a quiet stream.
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		case <-ping.C:
			_, _ = w.Write([]byte(": ping\n\n"))
		case f, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(f); err != nil {
				return
			}
		}
		flusher.Flush()
	}
}
