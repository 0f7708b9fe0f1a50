package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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

	mu sync.Mutex
	// failed are, by receiver, the events not delivered since the last
	// Flush and the last reason.
	failed map[string]*failures
	order  []string
}

// failures are the events a receiver missed.
type failures struct {
	events []string
	last   error
}

// queue is one receiver's events, delivered in turn.
type queue struct {
	Receiver
	events chan queued
}

// queued is an event and when its delivery gives up: Timeout after it was
// sent, so that a receiver that does not answer holds nothing up longer
// than that, however many events wait for it.
type queued struct {
	Event
	deadline time.Time
}

// NewSender starts a Sender to receivers; client sends (nil:
// http.DefaultClient).
func NewSender(receivers []Receiver, client *http.Client, warnings io.Writer) *Sender {
	if client == nil {
		client = http.DefaultClient
	}
	s := &Sender{warnings: warnings}
	for _, r := range receivers {
		q := &queue{Receiver: r, events: make(chan queued, 64)}
		s.receivers = append(s.receivers, q)
		go func() {
			for e := range q.events {
				if err := deliver(client, q.Receiver, e); err != nil {
					s.warn(q.Receiver, e.Type, err)
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
		case q.events <- queued{e, time.Now().Add(Timeout)}:
		default:
			s.pending.Done()
			s.warn(q.Receiver, e.Type, fmt.Errorf("%d earlier ones still waiting", cap(q.events)))
		}
	}
}

// Flush waits for the events queued, each given up Timeout after it was
// sent, and returns, one line per receiver, which events could not be
// delivered since the last Flush, and why the last one could not.
func (s *Sender) Flush() []string {
	s.pending.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range s.order {
		f := s.failed[name]
		out = append(out, fmt.Sprintf("notification %s of %s not delivered: %v", name, strings.Join(f.events, ", "), f.last))
	}
	s.failed, s.order = nil, nil
	return out
}

// warn says at once that e could not be delivered to r, and keeps it for
// Flush.
func (s *Sender) warn(r Receiver, e Type, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.Name + " (" + r.Format + ")"
	if s.failed == nil {
		s.failed = map[string]*failures{}
	}
	f := s.failed[name]
	if f == nil {
		f = &failures{}
		s.failed[name] = f
		s.order = append(s.order, name)
	}
	f.events, f.last = append(f.events, string(e)), err
	if s.warnings != nil {
		fmt.Fprintf(s.warnings, "warning: notification %s of %s not delivered: %v\n", name, e, err)
	}
}

// deliver posts e to r. Its errors never hold the URL, a secret: a
// transport error is told without the request it failed.
func deliver(client *http.Client, r Receiver, e queued) error {
	body, contentType, err := render(r.Format, e.Event)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(context.Background(), e.deadline)
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
			if urlErr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
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
