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
	// Client sends the requests; nil means http.DefaultClient, following
	// no redirect.
	Client Doer
}

// PayloadAPIVersion versions the JSON a webhook receives, as the status
// schema is: fields are only added within a version.
const PayloadAPIVersion = "kubectl-ship.dev/v1alpha1"

// Payload is the JSON document a webhook receives at every check
// (kind GateRequest): which cluster and release, and where it stands.
type Payload struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Context is the kubeconfig context the check runs in, Server its API
	// server's URL.
	Context string `json:"context"`
	Server  string `json:"server"`
	// Namespace and Release name the release (its stable Deployment).
	Namespace string `json:"namespace"`
	Release   string `json:"release"`
	// Step is the progression's step, from 1 (0 outside a progression);
	// Weight the judged Deployment's share of the traffic there, or what
	// the release asked for outside one, in percent.
	Step   int   `json:"step"`
	Weight int32 `json:"weight"`
	// ActualWeight is its share of the traffic as this check saw it: the
	// route's weight, or its share of the Service's ready endpoints.
	ActualWeight float64 `json:"actualWeight"`
	// Phase is where the release is: Progressing (a hold), Soaking (a
	// fleet's wave), ...
	Phase string `json:"phase"`
	// Images are the judged Deployment's images, by container name.
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
	p.APIVersion, p.Kind = PayloadAPIVersion, "GateRequest"
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
		client = WithoutRedirects(nil)
	}
	resp, err := client.Do(req)
	if err != nil {
		r.Reason = transportError(ctx, "webhook", timeout, err).Error()
		return r
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch redirect := redirected(resp); {
	case redirect != nil:
		r.Reason = redirect.Error()
	case err != nil:
		r.Reason = transportError(ctx, "webhook", timeout, err).Error()
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		r.Reason = "HTTP " + resp.Status + ": " + firstLine(answer)
	default:
		r.Verdict, r.Reason = Pass, "HTTP "+resp.Status
	}
	return r
}

// Bind is the gate that sends *p at each check: the engine binds the
// payload of the step it is at, and sets what each check saw in it before
// the gates run.
func (w *Webhook) Bind(p *Payload) Gate { return boundWebhook{w, p} }

type boundWebhook struct {
	w *Webhook
	p *Payload
}

func (b boundWebhook) Name() string                     { return b.w.Name() }
func (b boundWebhook) Check(ctx context.Context) Result { return b.w.Send(ctx, *b.p) }
