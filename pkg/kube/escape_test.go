package kube

import (
	"testing"
	"time"
)

// The busy error and status show what holds a lock: whoever may update the
// Lease writes its holder and operation, escape sequences and newlines too.
func TestDescribeLockEscapesTheLease(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 1, 0, time.Local)
	l := lease("eve\x1b]52;c;Y3VybA==\x07\nrelease web is free", at, 360)
	l.Annotations["kubectl-ship.dev/operation"] = "kubectl ship promote web\r\x1b[2K"
	want := `kubectl ship promote web\r^[[2K by eve^[]52;c;Y3VybA==\x07\nrelease web is free since 12:00:01, until 12:06:01`
	if got := describeLock(l); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
