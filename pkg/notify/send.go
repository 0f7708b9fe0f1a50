package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Timeout bounds each delivery.
const Timeout = 5 * time.Second

// Receiver is one place notifications go.
type Receiver struct {
	// Name tells it apart in warnings; its URL never appears in one.
	Name   string
	Format string // "slack" or "cloudevents"
	URL    string
	// Events are the types sent there; nil for all.
	Events map[Type]bool
}

// Sender delivers events to its receivers: in order for each receiver,
// every receiver at once, never blocking who notifies. A delivery that
// fails (no answer within Timeout, an answer other than 2xx) is a warning
// on Warnings and in what Flush returns.
type Sender struct {
	receivers []*queue
	warnings  io.Writer
	pending   sync.WaitGroup

	mu     sync.Mutex
	failed []string
}

// queue is one receiver's events, delivered in turn.
type queue struct {
	Receiver
	events chan Event
}

// NewSender starts a Sender to receivers; client sends (nil: a client
// with Timeout).
func NewSender(receivers []Receiver, client *http.Client, warnings io.Writer) *Sender {
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	s := &Sender{warnings: warnings}
	for _, r := range receivers {
		q := &queue{Receiver: r, events: make(chan Event, 64)}
		s.receivers = append(s.receivers, q)
		go func() {
			for e := range q.events {
				if err := deliver(client, q.Receiver, e); err != nil {
					s.warn(fmt.Sprintf("notification %s (%s) of %s not delivered: %v", q.Name, q.Format, e.Type, err))
				}
				s.pending.Done()
			}
		}()
	}
	return s
}

// Notify queues e for every receiver that wants it; a receiver that has
// not taken the events before it (64 of them) misses it, with a warning.
func (s *Sender) Notify(e Event) {
	for _, q := range s.receivers {
		if q.Events != nil && !q.Events[e.Type] {
			continue
		}
		s.pending.Add(1)
		select {
		case q.events <- e:
		default:
			s.pending.Done()
			s.warn(fmt.Sprintf("notification %s (%s) of %s not delivered: %d earlier ones still waiting", q.Name, q.Format, e.Type, cap(q.events)))
		}
	}
}

// Flush waits for the events queued, each delivery within Timeout, and
// returns the warnings since the last Flush.
func (s *Sender) Flush() []string {
	s.pending.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	failed := s.failed
	s.failed = nil
	return failed
}

func (s *Sender) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, msg)
	if s.warnings != nil {
		fmt.Fprintf(s.warnings, "warning: %s\n", msg)
	}
}

// deliver posts e to r. Its errors never hold the URL, a secret: a
// transport error is told without the request it failed.
func deliver(client *http.Client, r Receiver, e Event) error {
	body, contentType, err := render(r.Format, e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("its URL is not a URL")
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			if urlErr.Timeout() {
				return fmt.Errorf("no answer within %s", Timeout)
			}
			err = urlErr.Err
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}

func render(format string, e Event) (body []byte, contentType string, err error) {
	if format == "cloudevents" {
		body, err = CloudEvents(e)
		return body, "application/cloudevents+json", err
	}
	body, err = Slack(e)
	return body, "application/json", err
}
