package release

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func TestAppendOperationIsBounded(t *testing.T) {
	record := ""
	for i := range maxHistory + 5 {
		var err error
		if record, _, err = AppendOperation(record, Operation{Command: fmt.Sprintf("op %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ops := ParseOperations(record)
	if len(ops) != maxHistory || ops[0].Command != "op 5" || ops[maxHistory-1].Command != fmt.Sprintf("op %d", maxHistory+4) {
		t.Errorf("kept %d operations, from %q to %q", len(ops), ops[0].Command, ops[len(ops)-1].Command)
	}
	if ops := ParseOperations("not json"); ops != nil {
		t.Errorf("an unreadable record reads as empty, got %v", ops)
	}
}

// A fleet's command names its contexts: the record keeps each command to a
// bounded size, the fleet's as well, so 30 of them stay within an
// annotation's budget.
func TestRecordedCommandsAreBounded(t *testing.T) {
	long := "kubectl ship canary web --wave " + strings.Repeat("prod-cluster-x,", 200)
	step := &FleetStep{Wave: 2, Waves: 3, Command: long}
	record, _, err := AppendOperation("", Operation{Command: long, Fleet: step})
	if err != nil {
		t.Fatal(err)
	}
	last, _ := LastOperation(record)
	if len(last.Command) != maxCommand || !strings.HasSuffix(last.Command, "...") || last.Command != BoundCommand(long) {
		t.Errorf("command kept as %d bytes: %q", len(last.Command), last.Command)
	}
	if last.Fleet == nil || last.Fleet.Wave != 2 || last.Fleet.Waves != 3 || last.Fleet.Command != BoundCommand(long) {
		t.Errorf("fleet step kept as %+v", last.Fleet)
	}
	if step.Command != long {
		t.Error("AppendOperation changed the caller's fleet step")
	}
	if short := "kubectl ship promote web"; BoundCommand(short) != short {
		t.Errorf("a short command changed: %q", BoundCommand(short))
	}
}

func TestLastOperation(t *testing.T) {
	record, _, err := AppendOperation("", Operation{Command: "kubectl ship canary web"})
	if err == nil {
		record, _, err = AppendOperation(record, Operation{Command: "kubectl ship promote web", Interrupted: true, Error: "interrupted"})
	}
	if err != nil {
		t.Fatal(err)
	}
	if last, ok := LastOperation(record); !ok || last.Command != "kubectl ship promote web" || !last.Interrupted {
		t.Errorf("last = %+v (%v), want the interrupted promote", last, ok)
	}
	for _, empty := range []string{"", "not json", "[]"} {
		if last, ok := LastOperation(empty); ok {
			t.Errorf("record %q: got %+v, want none", empty, last)
		}
	}
}

func TestNewHistoryJoinsRevisionsAndOperations(t *testing.T) {
	d := fixture.NewDeployment("web").V()
	d.Annotations = map[string]string{RevisionAnnotation: "2"}
	record, _, _ := AppendOperation("", Operation{Command: "kubectl ship promote web", Changes: []string{"deployment.apps/web promoted"}})
	h := NewHistory(d, []appsv1.ReplicaSet{fixture.NewReplicaSet(d, "b", "2").WithImage("web:2").Created(time.Hour).V(), fixture.NewReplicaSet(d, "a", "1").V(), fixture.NewReplicaSet(d, "x", "x").WithImage("?").V()}, map[string]string{AnnotationHistory: record})
	var got []string
	for _, r := range h.Revisions {
		got = append(got, fmt.Sprintf("%d %s %v", r.Revision, strings.Join(r.Images, ","), r.Current))
	}
	if strings.Join(got, "; ") != "1 web:1 false; 2 web:2 true" {
		t.Errorf("revisions: %v", got)
	}
	if len(h.Operations) != 1 || h.Operations[0].Changes[0] != "deployment.apps/web promoted" {
		t.Errorf("operations: %+v", h.Operations)
	}
}

// A record that is no list is never written over: the next operation
// starts a new record and the old one is returned, to be kept beside it.
// An entry that cannot be read (a time that is no time) is kept as it is
// and shows as unreadable in its place; the entries after it read.
func TestUnreadableRecordsAreKept(t *testing.T) {
	record, kept, err := AppendOperation("{not json", Operation{Command: "kubectl ship abort web"})
	if err != nil || kept != "{not json" || len(ParseOperations(record)) != 1 {
		t.Errorf("record %s, kept %q, %v", record, kept, err)
	}
	annotations := map[string]string{AnnotationUnreadableHistory: "older"}
	KeepUnreadable(annotations, kept)
	if annotations[AnnotationUnreadableHistory+"-2"] != "{not json" || annotations[AnnotationUnreadableHistory] != "older" {
		t.Errorf("kept: %v", annotations)
	}

	bad := `[{"time":"not-a-time","command":"kubectl ship canary web"},{"time":"2026-11-25T10:00:00Z","command":"kubectl ship promote web"}]`
	ops := ParseOperations(bad)
	if len(ops) != 2 || !strings.Contains(ops[0].Unreadable, `"time":"not-a-time"`) || ops[1].Command != "kubectl ship promote web" {
		t.Errorf("operations: %+v", ops)
	}
	record, kept, err = AppendOperation(bad, Operation{Command: "kubectl ship abort web"})
	if err != nil || kept != "" || !strings.HasPrefix(record, `[{"time":"not-a-time","command":"kubectl ship canary web"},`) {
		t.Errorf("the unreadable entry should stay as written: %s, %q, %v", record, kept, err)
	}
	d := fixture.NewDeployment("web").V()
	h := NewHistory(d, nil, map[string]string{AnnotationHistory: "{not json", AnnotationUnreadableHistory: "older"})
	if h.RecordError == "" || len(h.KeptRecords) != 1 {
		t.Errorf("history: %+v", h)
	}
}
