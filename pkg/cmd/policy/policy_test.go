package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
)

const doc = `apiVersion: kubectl-ship.dev/v1alpha1
kind: ReleasePolicy
metadata: {name: web}
spec:
  steps: [10, pause, 50]
  notify:
  - {format: slack, urlFrom: {secretKeyRef: {name: chat, key: url}}, events: [paused]}
`

// validate reads the document from a file or standard input, makes no
// request, and names the field it refuses.
func TestValidate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		args     []string
		out, err string
	}{
		{"a file", "", []string{"validate", "-f", file}, file + ": a valid ReleasePolicy\n", ""},
		{"standard input", doc, []string{"validate", "-f", "-"}, "-: a valid ReleasePolicy\n", ""},
		{"an unknown field", strings.Replace(doc, "steps:", "stpes:", 1), []string{"validate", "-f", "-"}, "", "-: spec.stpes: unknown field"},
		{"no -f", "", []string{"validate"}, "", "give the document with -f FILE (- for standard input)"},
		{"a missing file", "", []string{"validate", "-f", file + ".nope"}, "", "-f: open " + file + ".nope: no such file or directory"},
		{"an argument", "", []string{"validate", "x"}, "", `unknown command "x" for "policy validate"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdPolicy, tc.in, tc.args...)
			if got := errString(r.Err); got != tc.err || r.Out != tc.out {
				t.Errorf("printed %q, error %q; want %q, %q", r.Out, got, tc.out, tc.err)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	r := cmdtest.Run(t, NewCmdPolicy, "", "explain")
	if r.Err != nil || !strings.HasPrefix(r.Out, "KIND: ReleasePolicy\nVERSION: kubectl-ship.dev/v1alpha1\n\nFIELD") {
		t.Fatalf("explain: %v\n%s", r.Err, r.Out)
	}
	for _, f := range policy.Fields() {
		if !strings.Contains(r.Out, "spec."+f.Name+" ") {
			t.Errorf("explain lacks spec.%s", f.Name)
		}
	}
	r = cmdtest.Run(t, NewCmdPolicy, "", "explain", "spec.steps")
	if lines := strings.Split(strings.TrimSpace(r.Out), "\n"); r.Err != nil || len(lines) != 2 || !strings.HasPrefix(lines[1], "spec.steps") || !strings.Contains(lines[1], "--steps") {
		t.Errorf("explain spec.steps: %v\n%s", r.Err, r.Out)
	}
	r = cmdtest.Run(t, NewCmdPolicy, "", "explain", "stpes")
	if errString(r.Err) != "stpes is not a field of a ReleasePolicy: see 'kubectl ship policy explain'" || r.Out != "" {
		t.Errorf("explain stpes: %v, printed %q", r.Err, r.Out)
	}
}

// Bad input is refused before the Deployment is read; a release read from
// a cluster that cannot be reached fails with its address.
func TestPolicyRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdPolicy, []cmdtest.Refusal{
		{Args: nil, Want: "accepts 1 arg(s), received 0"},
		{Args: []string{"web", "-o", "toml"}, Want: "unable to match a printer"},
		{Args: []string{"web", "--policy", "/nonexistent/policy.yaml"}, Want: "/nonexistent/policy.yaml"},
		{Args: []string{"web"}, Want: cmdtest.Refused},
	})
}

// The effective policy prints a field a line, with where it came from, in
// the document's order; what a cluster holds is escaped.
func TestPrintEffective(t *testing.T) {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	eff := policy.Merge(policy.Layer{Source: "annotation", Spec: &p.Spec})
	var out bytes.Buffer
	if err := printEffective(&out, "web\x1b[2J", "ns", eff); err != nil {
		t.Fatal(err)
	}
	want := `Release policy of web^[[2J (namespace ns)

FIELD    VALUE                                     FROM
steps    10,pause,50                               annotation
notify   slack-1: slack=secret:chat/url (paused)   annotation
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
