package printers

import (
	"bytes"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// A record that cannot be read is said, not shown as empty; an entry that
// cannot be read shows in its place; a long field is cut in the table.
func TestHistoryOfAnUnreadableRecord(t *testing.T) {
	h := &release.History{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo"}, RecordError: "invalid character 'o'",
		KeptRecords: []string{release.AnnotationUnreadableHistory}}
	var out bytes.Buffer
	if err := History(&out, h); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The record of kubectl-ship operations cannot be read (invalid character 'o'): it is kept as it is in lease kubectl-ship-web",
		"An earlier record that could not be read is kept in lease kubectl-ship-web, annotation kubectl-ship.dev/history-unreadable."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("history should say %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "No kubectl-ship operations recorded") {
		t.Errorf("an unreadable record is not an empty one:\n%s", out.String())
	}

	h = &release.History{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Operations: []release.Operation{
		{Unreadable: `parsing time "not-a-time": {"time":"not-a-time"}`},
		{Command: "kubectl ship canary web", Changes: []string{strings.Repeat("x", 200000)}},
	}}
	out.Reset()
	if err := History(&out, h); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `unreadable entry, kept as it is: parsing time "not-a-time"`) || !strings.Contains(out.String(), "... (199700 more characters: -o json shows all)") || out.Len() > 2000 {
		t.Errorf("history (%d bytes):\n%.1500s", out.Len(), out.String())
	}
}
