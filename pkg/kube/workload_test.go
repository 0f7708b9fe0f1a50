package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// apps is an API server holding, in namespace ns, the apps objects named
// by their path ("deployments/web"); it answers 404 for any other, and
// keeps the paths it was asked for.
type apps struct {
	objects map[string]any
	mu      sync.Mutex
	asked   []string
}

func (a *apps) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/apis/apps/v1/namespaces/ns/")
	a.mu.Lock()
	a.asked = append(a.asked, path)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	obj, ok := a.objects[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		obj = map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}
	}
	_ = json.NewEncoder(w).Encode(obj)
}

// Workload finds the kind as the verbs do, a Deployment first: one
// request for a Deployment, one more for each kind looked for before the
// one found; none of them is the verbs' "deployment NAME not found".
func TestWorkloadFindsTheKind(t *testing.T) {
	object := func(kind string) map[string]any {
		return map[string]any{"kind": kind, "apiVersion": "apps/v1", "metadata": map[string]any{"name": "web", "namespace": "ns"}}
	}
	tests := []struct {
		objects map[string]any
		kind    string
		asked   string
		err     string
	}{
		{map[string]any{"deployments/web": object("Deployment"), "daemonsets/web": object("DaemonSet")}, release.KindDeployment, "deployments/web", ""},
		{map[string]any{"statefulsets/web": object("StatefulSet"), "daemonsets/web": object("DaemonSet")}, release.KindStatefulSet, "deployments/web statefulsets/web", ""},
		{map[string]any{"daemonsets/web": object("DaemonSet")}, release.KindDaemonSet, "deployments/web statefulsets/web daemonsets/web", ""},
		{nil, "", "deployments/web statefulsets/web daemonsets/web", "deployment web not found in namespace ns"},
	}
	for _, tt := range tests {
		t.Run(tt.asked+" "+tt.kind, func(t *testing.T) {
			server := &apps{objects: tt.objects}
			srv := httptest.NewServer(server)
			defer srv.Close()
			c, err := newClient(&rest.Config{Host: srv.URL}, "ns")
			if err != nil {
				t.Fatal(err)
			}
			kind, w, err := c.Workload(context.Background(), "ns", "web")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || !release.IsNoDeployment(err) {
					t.Errorf("got %v, want %q", err, tt.err)
				}
			} else if err != nil || kind != tt.kind || w.GetName() != "web" {
				t.Errorf("got %s %v, %v; want %s web", kind, w, err, tt.kind)
			}
			if got := strings.Join(server.asked, " "); got != tt.asked {
				t.Errorf("asked for %s, want %s", got, tt.asked)
			}
		})
	}
}
