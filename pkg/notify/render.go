package notify

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// CloudEventsType is the CloudEvents type of an event of type t:
// "dev.kubectl-ship.release.promoted".
func CloudEventsType(t Type) string { return "dev.kubectl-ship.release." + string(t) }

// CloudEvents is e as a CloudEvents 1.0 event in structured mode, sent with
// Content-Type application/cloudevents+json: the event's attributes, and e
// itself as its data.
func CloudEvents(e Event) ([]byte, error) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return json.Marshal(struct {
		SpecVersion     string `json:"specversion"`
		Type            string `json:"type"`
		Source          string `json:"source"`
		Subject         string `json:"subject"`
		ID              string `json:"id"`
		Time            string `json:"time"`
		DataContentType string `json:"datacontenttype"`
		Data            Event  `json:"data"`
	}{"1.0", CloudEventsType(e.Type), source(e), e.Release, hex.EncodeToString(id), e.Time.UTC().Format(time.RFC3339Nano), "application/json", e})
}

// source names where an event happened, as a URI reference:
// "/kubectl-ship/CONTEXT/NAMESPACE/RELEASE".
func source(e Event) string {
	parts := []string{"", "kubectl-ship", e.Context, e.Namespace, e.Release}
	for i := range parts {
		parts[i] = url.PathEscape(parts[i])
	}
	return strings.Join(parts, "/")
}

// Slack is e as an incoming-webhook message Slack and Mattermost accept:
// its text alone (what notifications and Mattermost show), and blocks with
// the context, what to run next and who acted.
func Slack(e Event) ([]byte, error) {
	type text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type     string `json:"type"`
		Text     *text  `json:"text,omitempty"`
		Elements []text `json:"elements,omitempty"`
	}
	headline := mrkdwn(Headline(e))
	blocks := []block{{Type: "section", Text: &text{"mrkdwn", headline}}}
	var facts []string
	add := func(name, value string) {
		if value != "" {
			facts = append(facts, name+" "+mrkdwn(value))
		}
	}
	add("context", e.Context)
	add("cluster", e.Cluster)
	add("namespace", e.Namespace)
	add("images", strings.Join(e.Images, ", "))
	if e.Waves > 0 {
		add("wave", fmt.Sprintf("%d of %d", e.Wave, e.Waves))
	}
	add("by", e.User)
	blocks = append(blocks, block{Type: "context", Elements: []text{{"mrkdwn", strings.Join(facts, " · ")}}})
	var next []string
	if e.Continue != "" {
		next = append(next, "To go on: `"+mrkdwn(e.Continue)+"`")
	}
	if e.Rollback != "" {
		next = append(next, "To roll back: `"+mrkdwn(e.Rollback)+"`")
	}
	if len(next) > 0 {
		blocks = append(blocks, block{Type: "section", Text: &text{"mrkdwn", strings.Join(next, "\n")}})
	}
	return json.Marshal(struct {
		Text   string  `json:"text"`
		Blocks []block `json:"blocks"`
	}{headline, blocks})
}

// Headline says what happened in one line: "Release web (namespace shop,
// context prod): paused at step 2 of 3 (25%), awaiting approval".
func Headline(e Event) string {
	what := ""
	step := fmt.Sprintf("step %d of %d (%d%%)", e.Step, e.Steps, e.Weight)
	switch e.Type {
	case Started:
		what = "started"
		if len(e.Images) > 0 {
			what += " on " + strings.Join(e.Images, ", ")
		}
	case StepReached:
		what = "reached " + step
	case Paused:
		what = "paused at " + step + ", awaiting approval"
	case Approved:
		what = step + " approved"
	case Rejected:
		what = step + " rejected"
	case Promoted:
		what = "promoted"
	case RolledBack:
		what = "rolled back"
	case Failed:
		what = "failed"
	case Interrupted:
		what = "interrupted"
	}
	if (e.Type == Approved || e.Type == Rejected) && e.User != "" {
		what += " by " + e.User
	}
	if e.Reason != "" {
		what += ": " + e.Reason
	}
	return fmt.Sprintf("Release %s (namespace %s, context %s): %s", e.Release, e.Namespace, e.Context, what)
}

// mrkdwn escapes what Slack's mrkdwn reads as markup.
func mrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
