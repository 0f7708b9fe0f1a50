//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// hostile is markup, a javascript: link and control characters: what
// anyone who may write a Deployment, a Lease or an Event can put in them.
const hostile = `<script>alert("xss")</script><img src=x onerror=alert("img")> <a href="javascript:alert('link')">link</a> ` + "\x1b[2J\u202e"

// A release whose annotations, image, record, lock and Events hold markup
// executes nothing on the page: it is shown as text, no dialog opens and
// nothing is logged as an error (the Content-Security-Policy would log a
// blocked inline script).
func TestDashboardShowsHostileStringsAsText(t *testing.T) {
	ns := namespace(t)
	ctx := context.Background()
	c := apiClient(t)
	d := seedDeployment(false)
	d.Annotations = map[string]string{"kubernetes.io/change-cause": hostile}
	d.Spec.Template.Spec.Containers[0].Image = "example/ctwoc:1.0.0" + hostile
	if _, err := c.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().Services(ns).Create(ctx, seedService("ctwoc"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	record, _ := json.Marshal([]map[string]any{{"time": time.Now().UTC().Format(time.RFC3339), "verb": "canary",
		"command": "kubectl ship canary ctwoc " + hostile, "user": hostile, "changes": []string{hostile}, "error": hostile}})
	progression, _ := json.Marshal(map[string]any{"images": []string{hostile}, "steps": []string{"10", hostile}, "step": 0, "phase": "Paused",
		"interval": "1m", "gates": []map[string]any{{"gate": hostile, "verdict": "Fail", "value": 1, "threshold": "< " + hostile, "reason": hostile}}, "reason": hostile})
	now := metav1.NewMicroTime(time.Now())
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "kubectl-ship-ctwoc", Annotations: map[string]string{
			"kubectl-ship.dev/history": string(record), "kubectl-ship.dev/progression": string(progression),
			"kubectl-ship.dev/operation": "promote " + hostile, "kubectl-ship.dev/user": hostile}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(hostile), AcquireTime: &now, RenewTime: &now, LeaseDurationSeconds: ptr.To[int32](3600)},
	}
	if _, err := c.CoordinationV1().Leases(ns).Create(ctx, lease, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	event := &corev1.Event{ObjectMeta: metav1.ObjectMeta{GenerateName: "ctwoc."}, Reason: "Hostile", Message: hostile, Type: "Warning",
		InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Name: "ctwoc", Namespace: ns, APIVersion: "apps/v1"},
		FirstTimestamp: metav1.Now(), LastTimestamp: metav1.Now(), Count: 1}
	if _, err := c.CoreV1().Events(ns).Create(ctx, event, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the release's pods", func() (bool, string) {
		got, err := c.AppsV1().Deployments(ns).Get(ctx, "ctwoc", metav1.GetOptions{})
		return err == nil && got.Status.ReadyReplicas == 3, "not ready"
	})
	current := strings.TrimSpace(mustKubectl(t, "config", "current-context"))

	dash := startDashboard(t, env.kubeconfig, "-n", ns)
	b := newBrowser(t)
	for _, page := range []string{"/", "/release?context=" + current + "&namespace=" + ns + "&name=ctwoc"} {
		tab := b.open(t, dash.at(page))
		waitJS(t, tab, 10*time.Second, "the release", `document.body.innerText.includes("awaiting a decision") || document.body.innerText.includes("Hostile")`)
		time.Sleep(time.Second) // a live update could bring what the first paint did not
		text := js[string](t, tab, `document.body.innerText`)
		for _, shown := range []string{`<script>alert("xss")</script>`, `<img src=x onerror=alert("img")>`, `^[[2J`} {
			if !strings.Contains(text, shown) {
				t.Errorf("%s does not show %q as text:\n%s", page, shown, tail(text, 3000))
			}
		}
		if n := js[int](t, tab, `document.scripts.length + document.querySelectorAll("img, [onerror], a[href^='javascript:' i]").length`); n != 1 {
			t.Errorf("%s: %d scripts, images, handlers and javascript: links, want the page's own script alone", page, n)
		}
	}
	b.checkClean(t)
}

// The dashboard answers to its own address only (another Host header, as
// a DNS rebinding sends, is refused), only with the printed address's
// token, and changes something only with the page's own token, from its
// own origin; it sends no CORS header. Nothing changes in the cluster.
func TestDashboardRefusesOtherHostsAndMissingTokens(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	d := startDashboard(t, env.kubeconfig, "-n", ns)
	current := strings.TrimSpace(mustKubectl(t, "config", "current-context"))
	before := settledSnapshot(t, ns)

	jar, _ := cookiejar.New(nil)
	session := &http.Client{Jar: jar}
	page := do(t, session, "GET", d.url, "", nil)
	csrf := regexp.MustCompile(`<meta name="ship-csrf" content="([0-9a-f]+)">`).FindStringSubmatch(page.body)
	if page.code != 200 || csrf == nil {
		t.Fatalf("opening the printed address: %d\n%s", page.code, page.body)
	}
	promote := `{"context":"` + current + `","namespace":"` + ns + `","name":"ctwoc","action":"promote"}`
	jsonOnly := map[string]string{"Content-Type": "application/json"}
	withToken := map[string]string{"Content-Type": "application/json", "X-Ship-Csrf": csrf[1]}
	tests := []struct {
		name          string
		client        *http.Client
		method, url   string
		headers       map[string]string
		host, refusal string
	}{
		{"another Host, as DNS rebinding sends", session, "GET", d.base + "/", nil, "evil.example", "answers to its own address only"},
		{"another Host, with the token", &http.Client{}, "GET", d.url, nil, "evil.example", "answers to its own address only"},
		{"no token", &http.Client{}, "GET", d.base + "/", nil, "", "carries a token"},
		{"a wrong token", &http.Client{}, "GET", d.base + "/?token=0123", nil, "", "carries a token"},
		{"the events without a token", &http.Client{}, "GET", d.base + "/events?view=overview", nil, "", "carries a token"},
		{"promote without the page's token", session, "POST", d.base + "/api/run", jsonOnly, "", "missing or wrong X-Ship-Csrf token"},
		{"promote from another origin", session, "POST", d.base + "/api/run", map[string]string{"Content-Type": "application/json", "X-Ship-Csrf": csrf[1], "Origin": "http://evil.example"}, "", "from another origin"},
		{"promote without a session", &http.Client{}, "POST", d.base + "/api/run", withToken, "", "carries a token"},
		{"promote with another Host", session, "POST", d.base + "/api/run", withToken, "evil.example", "answers to its own address only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{}
			for k, v := range tt.headers {
				headers[k] = v
			}
			if tt.host != "" {
				headers["Host"] = tt.host + ":" + strings.TrimPrefix(d.base, "http://127.0.0.1:")
			}
			res := do(t, tt.client, tt.method, tt.url, promote, headers)
			if res.code != http.StatusForbidden || !strings.Contains(res.body, tt.refusal) {
				t.Errorf("%d, want 403 with %q:\n%s", res.code, tt.refusal, tail(res.body, 500))
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			for name := range res.header {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("a CORS header: %s", name)
				}
			}
		})
	}
	preflight := do(t, &http.Client{}, "OPTIONS", d.base+"/api/run", "", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
	if preflight.header.Get("Access-Control-Allow-Origin") != "" || preflight.code < 400 {
		t.Errorf("a CORS preflight: %d %v", preflight.code, preflight.header)
	}
	assertUnchanged(t, ns, before)
}

type answer struct {
	code   int
	body   string
	header http.Header
}

// do sends one request with headers ("Host" sets the Host header) and
// reads the answer, following no redirect but the login's.
func do(t *testing.T, client *http.Client, method, url, body string, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return answer{code: res.StatusCode, body: string(raw), header: res.Header}
}
