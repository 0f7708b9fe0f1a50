package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// hostile is what anyone who may write a Deployment, an Event or a Lease
// can put where the page shows it.
const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3) "'` + "\x1b[31m\u202e"

// hostileRelease is a release whose every string the cluster gives holds
// markup, a javascript: link, control characters, and a URL with a
// password and a token.
func hostileRelease() releaseIn {
	st := canary("ctwoc", 25)
	st.Deployments[1].Containers[0].Image = hostile
	st.Deployments[1].Message = hostile
	st.Operation = hostile
	st.Warnings = []string{hostile}
	st.Services[0].Selector = map[string]string{"app": hostile}
	st.Progression = &release.Progression{Steps: []string{"10", hostile}, Phase: release.ProgressionPhase(hostile), Step: 0,
		Gates: []release.GateResult{{Gate: "webhook https://admin:s3cret@hooks.example/check?token=abc123 " + hostile,
			Verdict: release.Fail, Value: ptr.To(0.5), Threshold: "< 0.1" + hostile, Reason: hostile}}}
	ctwoc := fixture.NewDeployment("ctwoc").V()
	rs := fixture.NewReplicaSet(ctwoc, "abc", "1").WithImage(hostile).WithAnnotations(map[string]string{release.ChangeCauseAnnotation: hostile}).V()
	pod := fixture.NewReplicaSetPod(ctwoc, "abc", "x1").Waiting(hostile, "").V()
	event := corev1.Event{InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "ctwoc-abc-x1"}, Reason: hostile, Message: hostile,
		LastTimestamp: metav1.NewTime(time.Date(2026, 11, 25, 10, 4, 0, 0, time.UTC))}
	return releaseIn{
		context: "prod" + hostile, target: ship.Target{Context: "prod", Namespace: "demo", Name: "ctwoc"}, status: st,
		record: []release.Operation{{Command: "kubectl ship canary ctwoc --webhook https://u:s3cret@hooks.example/x?token=abc123 " + hostile,
			User: hostile, From: hostile, Changes: []string{hostile}, Error: hostile}},
		gates: []gatePoint{{Time: time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC), Results: st.Progression.Gates}},
		pods:  []corev1.Pod{pod}, replicaSets: []appsv1.ReplicaSet{rs}, events: []corev1.Event{event},
	}
}

// What the cluster holds is shown as text: never markup, never a link, no
// control character, and no URL's password or query.
func TestHostileStringsShowAsText(t *testing.T) {
	templates, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)
	in := hostileRelease()
	sections, err := renderSections(templates, releasePageOf(in, now))
	if err != nil {
		t.Fatal(err)
	}
	var page string
	for _, name := range releaseSections {
		page += sections[name]
	}
	group := groupOf(snapshot{name: in.context, target: in.target, list: &release.StatusList{Items: []*release.Status{in.status}}}, true, now)
	row, err := render(templates, "row", group.Rows[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, html := range map[string]string{"release page": page, "overview row": row} {
		t.Run(name, func(t *testing.T) {
			for _, bad := range []string{"<script", "<img", `href="javascript:`, "\x1b", "\u202e", "s3cret", "abc123"} {
				if strings.Contains(html, bad) {
					t.Errorf("holds %q:\n%s", bad, html)
				}
			}
			for _, shown := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "^[[31m", `\u202e`} {
				if !strings.Contains(html, shown) {
					t.Errorf("does not show %q as text", shown)
				}
			}
		})
	}
	for _, shown := range []string{"https://admin:xxxxx@hooks.example/check?REDACTED", "https://u:xxxxx@hooks.example/x?REDACTED"} {
		if !strings.Contains(page, shown) {
			t.Errorf("the page does not show %q", shown)
		}
	}
}

func TestRedactURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no url here", "no url here"},
		{"--webhook https://hooks.example/x", "--webhook https://hooks.example/x"},
		{"--webhook 'https://u:pw@hooks.example/x?token=1'", "--webhook 'https://u:xxxxx@hooks.example/x?REDACTED'"},
		{"prometheus at http://prom:9090/api#frag", "prometheus at http://prom:9090/api"},
	}
	for _, tt := range tests {
		if got := redactURLs(tt.in); got != tt.want {
			t.Errorf("redactURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
