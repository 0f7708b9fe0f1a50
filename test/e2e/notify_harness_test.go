//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// receiver is a loopback endpoint that records what it is posted, in
// order, and answers status. Its URL has a secret part, as an incoming
// webhook's does: /hooks/TOKEN.
type receiver struct {
	server *httptest.Server
	token  string
	mu     sync.Mutex
	posts  []post
}

// post is one request a receiver got.
type post struct {
	contentType string
	body        []byte
}

// newReceiver starts a receiver answering status, after hang (0: at once).
func newReceiver(t *testing.T, status int, hang time.Duration) *receiver {
	t.Helper()
	token := make([]byte, 12)
	_, _ = rand.Read(token)
	r := &receiver{token: "T" + hex.EncodeToString(token)}
	r.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if req.URL.Path != "/hooks/"+r.token {
			http.NotFound(w, req)
			return
		}
		r.mu.Lock()
		r.posts = append(r.posts, post{req.Header.Get("Content-Type"), body})
		r.mu.Unlock()
		select {
		case <-time.After(hang):
		case <-req.Context().Done():
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.server.Close)
	return r
}

func (r *receiver) url() string { return r.server.URL + "/hooks/" + r.token }

func (r *receiver) received() []post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]post{}, r.posts...)
}

// cloudEvent is a CloudEvents 1.0 event in structured mode, as the tests
// read it; data is kubectl-ship's event.
type cloudEvent struct {
	SpecVersion     string `json:"specversion"`
	Type            string `json:"type"`
	Source          string `json:"source"`
	Subject         string `json:"subject"`
	ID              string `json:"id"`
	Time            string `json:"time"`
	DataContentType string `json:"datacontenttype"`
	Data            struct {
		Type      string   `json:"type"`
		Context   string   `json:"context"`
		Cluster   string   `json:"cluster"`
		Namespace string   `json:"namespace"`
		Release   string   `json:"release"`
		Images    []string `json:"images"`
		Weight    int      `json:"weight"`
		Step      int      `json:"step"`
		Steps     int      `json:"steps"`
		User      string   `json:"user"`
		Reason    string   `json:"reason"`
		Continue  string   `json:"continue"`
		Rollback  string   `json:"rollback"`
		Wave      int      `json:"wave"`
		Waves     int      `json:"waves"`
	} `json:"data"`
}

// cloudEvents decodes what r got, checking each is a CloudEvent.
func (r *receiver) cloudEvents(t *testing.T) []cloudEvent {
	t.Helper()
	var out []cloudEvent
	for _, p := range r.received() {
		var e cloudEvent
		if err := json.Unmarshal(p.body, &e); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, p.body)
		}
		if p.contentType != "application/cloudevents+json" || e.SpecVersion != "1.0" || e.ID == "" || e.Source == "" ||
			e.DataContentType != "application/json" || e.Type != "dev.kubectl-ship.release."+e.Data.Type {
			t.Errorf("not a CloudEvent in structured mode (%s):\n%s", p.contentType, p.body)
		}
		if _, err := time.Parse(time.RFC3339Nano, e.Time); err != nil {
			t.Errorf("time %q: %v", e.Time, err)
		}
		out = append(out, e)
	}
	return out
}

// slackMessage is an incoming-webhook message.
type slackMessage struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
	} `json:"blocks"`
}

// slack decodes what r got, checking each is an incoming-webhook message.
func (r *receiver) slack(t *testing.T) []slackMessage {
	t.Helper()
	var out []slackMessage
	for _, p := range r.received() {
		var m slackMessage
		if err := json.Unmarshal(p.body, &m); err != nil || p.contentType != "application/json" || m.Text == "" ||
			len(m.Blocks) < 2 || m.Blocks[0].Type != "section" || m.Blocks[0].Text == nil || m.Blocks[0].Text.Type != "mrkdwn" {
			t.Errorf("not an incoming-webhook message (%s, %v):\n%s", p.contentType, err, p.body)
		}
		out = append(out, m)
	}
	return out
}

// eventTypes are the events' types, in the order received.
func eventTypes(events []cloudEvent) string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Data.Type
	}
	return strings.Join(out, " ")
}

// notifySecret creates the Secret ship-notify holding the receivers' URLs
// under the keys given.
func notifySecret(t *testing.T, ns string, urls map[string]string) {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "ship-notify"}, StringData: urls}
	if _, err := apiClient(t).CoreV1().Secrets(ns).Create(context.Background(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// assertSecretNeverShown fails when a receiver's token appears in the
// release's Lease, the namespace's Events, or any output.
func assertSecretNeverShown(t *testing.T, ns string, outputs []string, receivers ...*receiver) {
	t.Helper()
	lease := mustKubectl(t, "get", "lease", "kubectl-ship-ctwoc", "-n", ns, "-o", "yaml")
	events := mustKubectl(t, "get", "events", "-n", ns, "-o", "yaml")
	for _, r := range receivers {
		for where, text := range map[string]string{"the lease": lease, "the events": events, "the output": strings.Join(outputs, "\n")} {
			if strings.Contains(text, r.token) {
				t.Errorf("the secret part of a webhook URL is in %s:\n%s", where, text)
			}
		}
	}
}
