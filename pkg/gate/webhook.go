package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Webhook is a `--webhook URL` gate: at every check it POSTs a Payload and
// passes on a 2xx answer within its timeout, as Flagger's webhooks do.
type Webhook struct {
	// URL receives the POST.
	URL string
	// Timeout bounds each call; zero means DefaultTimeout.
	Timeout time.Duration
	// Client sends the requests; nil means http.DefaultClient.
	Client Doer
}

// Payload is the JSON document a webhook receives: where the release is.
type Payload struct {
	Release   string `json:"release"`
	Namespace string `json:"namespace"`
	// Step is the progression's step, from 1; Weight the canary's weight there.
	Step   int   `json:"step"`
	Weight int32 `json:"weight"`
	// Phase is the release's phase: Progressing, Promoting, ...
	Phase string `json:"phase"`
	// Images are the new images, by container name.
	Images map[string]string `json:"images"`
}

// ParseWebhook checks `--webhook`'s value: an absolute http(s) URL. Errors
// quote the value; the caller names the flag.
func ParseWebhook(raw string) (*Webhook, error) {
	if _, err := parseHTTPURL(raw); err != nil {
		return nil, fmt.Errorf("%w: want http(s)://HOST[:PORT][/PATH]", err)
	}
	return &Webhook{URL: raw}, nil
}

// Name is "webhook URL", the URL without its query or password.
func (w *Webhook) Name() string { return "webhook " + redact(w.URL) }

// Send POSTs p and judges the answer: Pass on 2xx, else Fail with the HTTP
// status and the first line of the body, or why no answer came.
func (w *Webhook) Send(ctx context.Context, p Payload) Result {
	r := Result{Gate: w.Name(), Verdict: Fail}
	body, err := json.Marshal(p)
	if err != nil {
		r.Reason = "cannot encode the payload: " + err.Error()
		return r
	}
	ctx, cancel, timeout := withTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		r.Reason = err.Error()
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		r.Reason = transportError(ctx, "webhook", timeout, err).Error()
		return r
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case err != nil:
		r.Reason = transportError(ctx, "webhook", timeout, err).Error()
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		r.Reason = "HTTP " + resp.Status + ": " + firstLine(answer)
	default:
		r.Verdict, r.Reason = Pass, "HTTP "+resp.Status
	}
	return r
}

// Bind is the gate that sends p at each check: the engine binds the payload
// of the step it is at.
func (w *Webhook) Bind(p Payload) Gate { return boundWebhook{w, p} }

type boundWebhook struct {
	w *Webhook
	p Payload
}

func (b boundWebhook) Name() string                     { return b.w.Name() }
func (b boundWebhook) Check(ctx context.Context) Result { return b.w.Send(ctx, b.p) }
