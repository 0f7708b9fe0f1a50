//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
)

// TestPrometheusThroughServiceProxy sends a query to
// --prometheus service/NS/NAME:PORT the way the command will: through the
// API server's service proxy, on the kubeconfig's own credentials. No
// Prometheus can stand behind it here (kwok pods run nothing and the API
// server refuses loopback endpoints), so this shows the path is the proxy's
// and that its "no endpoints" answer reaches the user intact.
func TestPrometheusThroughServiceProxy(t *testing.T) {
	ns := namespace(t)
	apply(t, ns, service("prom", "prom"))
	loc, err := gate.ParseLocation("service/" + ns + "/prom:80")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &gate.Prometheus{Client: client, URL: loc.BaseURL(cfg.Host), Timeout: 5 * time.Second}
	_, _, err = p.Query(context.Background(), "up")
	want := `prometheus answered HTTP 503 Service Unavailable: no endpoints available for service "prom"`
	if err == nil || err.Error() != want {
		t.Errorf("query through the service proxy: %v, want %q", err, want)
	}
}
