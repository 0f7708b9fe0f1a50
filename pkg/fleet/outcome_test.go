package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

func TestClassify(t *testing.T) {
	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/apis", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want Outcome
	}{
		{"no error", nil, Healthy},
		{"no such release", release.NotRelease("deployment web not found in namespace shop"), NotFound},
		{"not found, wrapped", fmt.Errorf("context b: %w", apierrors.NewNotFound(deployments, "web")), NotFound},
		{"read deadline", fmt.Errorf("no answer within 30s: %w", context.DeadlineExceeded), TimedOut},
		{"client timeout", &url.Error{Op: "Get", URL: "https://127.0.0.1:1", Err: &net.DNSError{IsTimeout: true}}, TimedOut},
		{"server timeout", apierrors.NewTimeoutError("slow", 1), TimedOut},
		{"connection refused", refused, Unreachable},
		{"forbidden", apierrors.NewForbidden(deployments, "", errors.New(`User "nobody" cannot list`)), Unreachable},
		{"unauthorized", apierrors.NewUnauthorized("bad token"), Unreachable},
		{"anything else", errors.New("x509: certificate signed by unknown authority"), Unreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestVerdictNamesTheClusters(t *testing.T) {
	contexts := []string{"a", "b", "c", "d", "e"}
	code, err := Verdict(contexts, []Outcome{Healthy, Degraded, Unreachable, Degraded, Unreachable})
	if code != 5 || err == nil || err.Error() != "not every cluster is healthy: unreachable or forbidden in c, e; degraded in b, d" {
		t.Errorf("got %d, %v", code, err)
	}
	if code, err := Verdict(contexts[:2], []Outcome{Healthy, Healthy}); code != 0 || err != nil {
		t.Errorf("all healthy: %d, %v", code, err)
	}
}
