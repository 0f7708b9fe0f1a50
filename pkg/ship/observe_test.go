package ship

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// observe finds the release's workload as the verbs do (a Deployment, else
// a StatefulSet, else a DaemonSet), and reads a kind found before directly.
func TestObserveFindsTheWorkload(t *testing.T) {
	noDeployment := release.NoDeployment("web", "prod")
	tests := []struct {
		name      string
		setup     func(*fakeCluster)
		kind      string
		want      string
		wantCalls string
		wantErr   string
	}{
		{"a deployment", func(*fakeCluster) {}, "", release.KindDeployment, "observe", ""},
		{"a statefulset", func(c *fakeCluster) {
			c.observeErr = noDeployment
			c.statefulSets = append(c.statefulSets, fixture.NewStatefulSet("web").V())
		}, "", release.KindStatefulSet, "observe, observe statefulset", ""},
		{"a daemonset", func(c *fakeCluster) {
			c.observeErr = noDeployment
			c.daemonSet = fixture.NewDaemonSet("web").V()
		}, "", release.KindDaemonSet, "observe, observe statefulset, observe daemonset", ""},
		{"a daemonset read again", func(c *fakeCluster) { c.daemonSet = fixture.NewDaemonSet("web").V() },
			release.KindDaemonSet, release.KindDaemonSet, "observe daemonset", ""},
		{"none of them", func(c *fakeCluster) { c.observeErr = noDeployment }, "", "",
			"observe, observe statefulset, observe daemonset", "deployment web not found in namespace prod"},
		{"a statefulset gone since", func(*fakeCluster) {}, release.KindStatefulSet, "",
			"observe statefulset", `statefulsets.apps "web" not found`},
		{"the deployment unreadable", func(c *fakeCluster) {
			c.observeErr = apierrors.NewServiceUnavailable("try again")
			c.daemonSet = fixture.NewDaemonSet("web").V()
		}, "", "", "observe", "try again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeCluster()
			tc.setup(c)
			seen, err := observe(context.Background(), c, Target{Namespace: "prod", Name: "web"}, tc.kind)
			if got := strings.Join(c.calls, ", "); got != tc.wantCalls {
				t.Errorf("calls %q, want %q", got, tc.wantCalls)
			}
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || seen.Kind() != tc.want {
				t.Fatalf("got %+v, %v; want a %s", seen, err, tc.want)
			}
		})
	}
}
