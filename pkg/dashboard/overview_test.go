package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// A change of one release sends its row alone, to every tab, from the
// one follow of its cluster; a context that cannot be reached is a group
// that says so.
func TestOverviewSendsTheRowsThatChanged(t *testing.T) {
	prod := newFeed(canary("ctwoc", 25), canary("shop", 10))
	staging := newFeed()
	staging.err = errors.New(`deployments.apps is forbidden: User "bob" cannot list resource "deployments"`)
	e := &fakeEngine{feeds: map[string]*fakeFeed{"prod": prod, "staging": staging}}
	_, ts, client := dashboard(t, e, "prod", "staging", "dead")

	page := get(t, client, ts, "/")
	for _, want := range []string{"ctwoc", "shop", "canary 25%", "Cannot read the releases of context staging", "forbidden", "Cannot read the releases of context dead: dial: connection refused"} {
		if !strings.Contains(page, want) {
			t.Errorf("the overview does not show %q", want)
		}
	}
	version := regexp.MustCompile(`data-version="(\d+)"`).FindStringSubmatch(page)[1]

	var tabs []*websocket.Conn
	for range 3 {
		tabs = append(tabs, connect(t, ts, client, "/events?view=overview&v="+version))
	}
	prod.set(canary("ctwoc", 50), canary("shop", 10))
	for i, tab := range tabs {
		m := receive(t, tab)
		var p patch
		if err := json.Unmarshal(m.Data, &p); m.Event != "patch" || err != nil {
			t.Fatalf("tab %d: %s %s (%v)", i, m.Event, m.Data, err)
		}
		if len(p.Groups) != 0 || len(p.Order) != 0 || len(p.Rows) != 1 {
			t.Fatalf("tab %d: the patch is not one row: %s", i, m.Data)
		}
		for _, html := range p.Rows {
			if !strings.Contains(html, "canary 50%") || !strings.Contains(html, ">ctwoc<") {
				t.Errorf("tab %d: the row is not ctwoc's at 50%%: %s", i, html)
			}
		}
	}
}

// connect opens a tab's WebSocket to path, with the session of client.
func connect(t *testing.T, ts *httptest.Server, client *http.Client, path string) *websocket.Conn {
	t.Helper()
	config, err := websocket.NewConfig("ws"+strings.TrimPrefix(ts.URL, "http")+path, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(ts.URL)
	for _, c := range client.Jar.Cookies(u) {
		config.Header.Add("Cookie", c.String())
	}
	ws, err := websocket.DialConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

type received struct {
	Event   string
	Version uint64
	Data    json.RawMessage
}

// receive reads the next message of a tab, within 5s.
func receive(t *testing.T, ws *websocket.Conn) received {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m received
	if err := websocket.JSON.Receive(ws, &m); err != nil {
		t.Fatalf("no message: %v", err)
	}
	return m
}
