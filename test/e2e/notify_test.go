//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// notifyPolicy is a policy sending every event to a Slack-compatible
// receiver and a CloudEvents one, their URLs in the Secret ship-notify.
func notifyPolicy(extra ...string) string {
	return policyDoc(append([]string{
		"notify:",
		"- {name: chat, format: slack, urlFrom: {secretKeyRef: {name: ship-notify, key: slack}}}",
		"- {name: events, format: cloudevents, urlFrom: {secretKeyRef: {name: ship-notify, key: events}}}",
	}, extra...)...)
}

// notified sets up both receivers and the policy naming them for ns's
// release.
func notified(t *testing.T, ns string, extra ...string) (chat, events *receiver) {
	t.Helper()
	chat, events = newReceiver(t, http.StatusOK, 0), newReceiver(t, http.StatusOK, 0)
	notifySecret(t, ns, map[string]string{"slack": chat.url(), "events": events.url()})
	annotatePolicy(t, ns, notifyPolicy(extra...))
	return chat, events
}

// A promoted progression with an approval tells both receivers of each of
// its moments, in order, with the context, who acted and what to run next;
// the URLs' secret parts are nowhere to be seen.
func TestNotifyPromotedProgression(t *testing.T) {
	ns := seedRelease(t, seed{})
	chat, events := notified(t, ns)
	run := startIn(t, ns, pausing())
	awaitingApproval(t, ns)
	approve := mustShip(t, ns, "approve", "ctwoc", "--reason", "ok")
	out := run.wait(t)
	if out.code != 0 {
		t.Fatalf("exit %d\n%s", out.code, out.stderr)
	}
	got := events.cloudEvents(t)
	if want := "started stepReached paused approved stepReached promoted"; eventTypes(got) != want {
		t.Fatalf("events %q, want %q", eventTypes(got), want)
	}
	for i, e := range got {
		d := e.Data
		if d.Context == "" || d.Cluster == "" || d.Namespace != ns || d.Release != "ctwoc" || e.Subject != "ctwoc" ||
			!slices.Equal(d.Images, []string{v2}) || d.Steps != 3 || d.User == "" {
			t.Errorf("event %d lacks what a person needs: %+v", i, e)
		}
	}
	if paused := got[2].Data; paused.Step != 2 || paused.Weight != 25 || !strings.HasPrefix(paused.Continue, "kubectl ship approve ctwoc --context ") ||
		!strings.HasPrefix(paused.Rollback, "kubectl ship abort ctwoc --context ") {
		t.Errorf("paused: %+v", paused)
	}
	if approved := got[3].Data; approved.Reason != "ok" || approved.User == "" {
		t.Errorf("approved: %+v", approved)
	}
	if step := got[4].Data; step.Step != 3 || step.Weight != 50 {
		t.Errorf("the last step: %+v", step)
	}
	messages := chat.slack(t)
	if len(messages) != len(got) || !strings.Contains(messages[2].Text, "Release ctwoc (namespace "+ns+", context ") ||
		!strings.Contains(messages[2].Text, "paused at step 2 of 3 (25%), awaiting approval") || !strings.Contains(messages[5].Text, "promoted") {
		t.Errorf("slack messages: %+v", messages)
	}
	policy := mustShip(t, ns, "policy", "ctwoc")
	assertSecretNeverShown(t, ns, []string{out.stdout, out.stderr, approve.stdout, approve.stderr, policy.stdout}, chat, events)
}

// A gate that fails rolls the release back, and the receivers hear why.
func TestNotifyGateRollback(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "release frozen", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	ns := seedRelease(t, seed{})
	_, events := notified(t, ns)
	out := runIn(t, ns, nil, progress("--webhook", failing.URL))
	if out.code != 4 {
		t.Fatalf("exit %d\n%s", out.code, out.stderr)
	}
	got := events.cloudEvents(t)
	if eventTypes(got) != "started stepReached rolledBack" || !strings.Contains(got[2].Data.Reason, "HTTP 500 Internal Server Error: release frozen") {
		t.Errorf("events %q: %+v", eventTypes(got), got)
	}
}

// A failure outside the gates (a rollout that never finishes within
// --timeout) is told too.
func TestNotifyFailureOutsideGates(t *testing.T) {
	ns := seedRelease(t, seed{})
	_, events := notified(t, ns)
	out := runIn(t, ns, nil, []string{"ship", "canary", "ctwoc", "--image", "example/ctwoc:notready", "--steps", "25,50", "--interval", "2s",
		"--check-every", "1s", "--ready-grace", "10m", "--timeout", "4s"})
	if out.code != 1 {
		t.Fatalf("exit %d\n%s", out.code, out.stderr)
	}
	got := events.cloudEvents(t)
	if eventTypes(got) != "started failed" || !strings.Contains(got[1].Data.Reason, "timed out waiting for the rollout of deployment ctwoc-canary") {
		t.Errorf("events %q: %+v", eventTypes(got), got)
	}
}

// Receivers that hang, refuse or are not there are warnings, on stderr and
// in the record: the release completes all the same, held up by no more
// than one delivery's timeout (5 s), however many events wait.
func TestNotifyUndeliverable(t *testing.T) {
	quiet := seedRelease(t, seed{})
	start := time.Now()
	mustRun(t, quiet, progress())
	baseline := time.Since(start)

	ns := seedRelease(t, seed{})
	hanging, refusing, gone := newReceiver(t, http.StatusOK, time.Minute), newReceiver(t, http.StatusServiceUnavailable, 0), newReceiver(t, http.StatusOK, 0)
	gone.server.Close()
	notifySecret(t, ns, map[string]string{"hanging": hanging.url(), "refusing": refusing.url(), "gone": gone.url()})
	annotatePolicy(t, ns, policyDoc("notify:",
		"- {name: hanging, format: slack, urlFrom: {secretKeyRef: {name: ship-notify, key: hanging}}}",
		"- {name: refusing, format: cloudevents, urlFrom: {secretKeyRef: {name: ship-notify, key: refusing}}}",
		"- {name: gone, format: cloudevents, urlFrom: {secretKeyRef: {name: ship-notify, key: gone}}}"))
	start = time.Now()
	out := mustRun(t, ns, progress())
	took := time.Since(start)
	for _, want := range []string{
		"warning: notification hanging (slack) of started not delivered: no answer within 5s",
		"warning: notification refusing (cloudevents) of started not delivered: HTTP 503 Service Unavailable",
		"warning: notification gone (cloudevents) of started not delivered: dial tcp",
	} {
		if !strings.Contains(out.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out.stderr)
		}
	}
	// Four events each waited for up to 5 s one after the other would add
	// 20 s; at once, at most one timeout's worth.
	if took > baseline+10*time.Second {
		t.Errorf("the release took %s with receivers down, %s without", took.Round(time.Second), baseline.Round(time.Second))
	}
	// -o json: the text cuts a long result.
	history := mustShip(t, ns, "history", "ctwoc", "-o", "json").stdout
	if !strings.Contains(history, "notification hanging (slack) of started, stepReached, stepReached, promoted not delivered: no answer within 5s") {
		t.Errorf("the record lacks the warnings:\n%s", history)
	}
	assertSecretNeverShown(t, ns, []string{out.stdout, out.stderr, history}, hanging, refusing, gone)
}

// Across clusters in waves, each cluster's run tells of itself: one event
// of each kind per cluster and wave, the context named, wave after wave.
func TestNotifyFleetWaves(t *testing.T) {
	t.Parallel()
	fleet(t)
	ns := fleetRelease(t)
	events := newReceiver(t, http.StatusOK, 0)
	file := writeFile(t, "policy.yaml", policyDoc("steps: [25]", "interval: 2s", "checkEvery: 1s", "readyGrace: 3s",
		"waves: [[fleet-a], [fleet-b]]", "notify: [{format: cloudevents, urlFrom: {env: SHIP_E2E_EVENTS}}]"))
	res := fleetShip(t, []string{"SHIP_E2E_EVENTS=" + events.url()}, ns, "canary", "ctwoc", "--image", v2, "--policy", file)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	var seen []string
	for _, e := range events.cloudEvents(t) {
		seen = append(seen, e.Data.Context+" "+e.Data.Type+" "+strings.Repeat("*", e.Data.Wave)+"/"+strings.Repeat("*", e.Data.Waves))
	}
	want := []string{
		"fleet-a started */**", "fleet-a stepReached */**", "fleet-a promoted */**",
		"fleet-b started **/**", "fleet-b stepReached **/**", "fleet-b promoted **/**",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	// fleet-a is the suite's own cluster, whose Lease and Events are read.
	assertSecretNeverShown(t, ns, []string{res.stdout, res.stderr}, events)
}
