package kube

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func lease(holder string, renewed time.Time, seconds int32) *coordinationv1.Lease {
	at := metav1.NewMicroTime(renewed)
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"kubectl-ship.dev/operation": "kubectl ship promote web"}},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity: ptr.To(holder), AcquireTime: &at, RenewTime: &at, LeaseDurationSeconds: ptr.To(seconds),
		},
	}
}

func TestLockTakeOverRules(t *testing.T) {
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := gone.Process.Pid
	now := time.Now()
	tests := []struct {
		name            string
		lock            *coordinationv1.Lease
		expired, isDead bool
	}{
		{"live holder here", lease(fmt.Sprintf("me@%s (pid %d)", host, os.Getppid()), now, 60), false, false},
		{"dead holder here", lease(fmt.Sprintf("me@%s (pid %d)", host, deadPID), now, 60), false, true},
		{"holder on another machine", lease(fmt.Sprintf("me@elsewhere (pid %d)", deadPID), now, 60), false, false},
		{"expired", lease("me@elsewhere (pid 1)", now.Add(-2*time.Minute), 60), true, false},
		{"not ours to judge", lease("a controller", now, 60), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expired(tt.lock); got != tt.expired {
				t.Errorf("expired = %v", got)
			}
			if got := deadLocalHolder(tt.lock); got != tt.isDead {
				t.Errorf("deadLocalHolder = %v", got)
			}
		})
	}
}

func TestDescribeLock(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 1, 0, time.Local)
	got := describeLock(lease("alice@laptop (pid 42)", at, 360))
	if want := "kubectl ship promote web by alice@laptop (pid 42) since 12:00:01, until 12:06:01"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// The advice status gives for a held lock works in that state.
func TestLockAdvice(t *testing.T) {
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	staying := lease("alice@elsewhere (pid 1)", now, 60)
	staying.Annotations["kubectl-ship.dev/staying-until"] = now.Add(time.Minute).Format(time.RFC3339)
	tests := []struct {
		name string
		lock *coordinationv1.Lease
		want string
	}{
		{"its process is gone", lease(fmt.Sprintf("me@%s (pid %d)", host, gone.Process.Pid), now, 60), "run the same command again to finish it"},
		{"expired", lease("alice@elsewhere (pid 1)", now.Add(-2*time.Minute), 60), "run the same command again to finish it"},
		{"alive elsewhere", lease("alice@elsewhere (pid 1)", now, 60), "wait for it to finish; if its process died on another machine, its lock expires"},
		{"staying", staying, "it stops when another kubectl ship command on the release runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lockAdvice(tt.lock); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
