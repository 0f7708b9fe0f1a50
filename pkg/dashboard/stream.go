package dashboard

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"golang.org/x/net/websocket"
)

// topic is what the tabs showing one view receive over their WebSocket:
// each change, as a message built once for all of them. Tabs cost the API
// servers nothing: the clusters are followed whether zero or ten look. A
// WebSocket rather than server-sent events: a browser opens at most six
// HTTP/1.1 connections to one address, and an event stream holds one for as
// long as its tab is open, so a seventh tab would not even load.
type topic struct {
	mu      sync.Mutex
	version uint64
	// reset is the message that brings a tab at any version to this one.
	reset []byte
	subs  map[chan []byte]bool
}

func newTopic() *topic { return &topic{subs: map[chan []byte]bool{}} }

// message is one change of a view: the version it brings a tab to, which
// the tab gives back when it connects again.
func message(event string, version uint64, data any) []byte {
	raw, _ := json.Marshal(map[string]any{"event": event, "version": version, "data": data})
	return raw
}

// publish sends change (the message from the previous version) to every tab,
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

// serve streams t to one tab, over a WebSocket, until it goes or the
// dashboard stops.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, t *topic) {
	websocket.Server{
		// guard checked the Origin: the page's own, or none.
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler: func(ws *websocket.Conn) {
			ch, first := t.subscribe(r.URL.Query().Get("v"))
			defer t.unsubscribe(ch)
			// The tab says nothing; reading tells when it goes.
			gone := make(chan struct{})
			go func() {
				defer close(gone)
				var discard string
				for {
					if err := websocket.Message.Receive(ws, &discard); err != nil {
						return
					}
				}
			}()
			if first != nil && websocket.Message.Send(ws, string(first)) != nil {
				return
			}
			for {
				select {
				case <-gone:
					return
				case <-s.ctx.Done():
					return
				case m, ok := <-ch:
					if !ok || websocket.Message.Send(ws, string(m)) != nil {
						return
					}
				}
			}
		},
	}.ServeHTTP(w, r)
}
