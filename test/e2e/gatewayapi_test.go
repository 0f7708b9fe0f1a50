//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

// The Gateway API CRDs the suite installs, from the standard channel of the
// module pinned in hack/tools/gateway-api. No Gateway controller runs: a
// test that needs a route accepted writes its status itself.
var gatewayCRDs = []string{"httproutes", "referencegrants", "gateways", "gatewayclasses"}

var (
	httpRoutes      = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
	ingressResource = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
)

// installGatewayAPI applies the Gateway API's CRDs to the suite's cluster
// (server-side: they are too large for the last-applied annotation) and
// waits until HTTPRoutes are served.
func installGatewayAPI(root string) error {
	dir, err := output(root, nil, "hack/gateway-api-crds.sh")
	if err != nil {
		return fmt.Errorf("hack/gateway-api-crds.sh: %v\n%s", err, dir)
	}
	args := []string{"apply", "--server-side", "--force-conflicts"}
	for _, crd := range gatewayCRDs {
		args = append(args, "-f", filepath.Join(dir, "gateway.networking.k8s.io_"+crd+".yaml"))
	}
	kubeEnv := []string{"PATH=" + env.path, "KUBECONFIG=" + env.kubeconfig}
	if out, err := output(root, kubeEnv, "kubectl", args...); err != nil {
		return fmt.Errorf("installing the Gateway API CRDs: %v\n%s", err, out)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := output(root, kubeEnv, "kubectl", "get", "--raw", "/apis/gateway.networking.k8s.io/v1/httproutes")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("HTTPRoutes are not served a minute after their CRD was applied: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// withoutGatewayAPI deletes the Gateway API's CRDs for the rest of the test
// (the suite's tests run one at a time) and installs them again after it.
func withoutGatewayAPI(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := installGatewayAPI(root); err != nil {
			t.Fatal(err)
		}
	})
	for _, crd := range gatewayCRDs {
		mustKubectl(t, "delete", "crd", crd+".gateway.networking.k8s.io", "--wait=true")
	}
	eventually(t, "HTTPRoutes no longer served", func() (bool, string) {
		res := kubectl(t, "get", "--raw", "/apis/gateway.networking.k8s.io/v1/httproutes")
		return res.code != 0, res.stderr
	})
}

var suiteDynamic = sync.OnceValues(func() (*dynamic.DynamicClient, error) {
	config, err := clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	if err != nil {
		return nil, err
	}
	config.QPS, config.Burst = 200, 400 // the route watchers poll
	return dynamic.NewForConfig(config)
})

func dynamicClient(t *testing.T) *dynamic.DynamicClient {
	t.Helper()
	c, err := suiteDynamic()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// objectJSON is a field of an object (spec, metadata.annotations) as JSON,
// keys sorted: two equal strings are the same content, byte for byte.
func objectJSON(t *testing.T, gvr schema.GroupVersionResource, ns, name string, fields ...string) string {
	t.Helper()
	obj, err := dynamicClient(t).Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "<none>"
	}
	if err != nil {
		t.Fatal(err)
	}
	var v any = obj.Object
	for _, f := range fields {
		m, _ := v.(map[string]any)
		v = m[f]
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// routeSpec is an HTTPRoute's spec as JSON.
func routeSpec(t *testing.T, ns, name string) string {
	t.Helper()
	return objectJSON(t, httpRoutes, ns, name, "spec")
}

// acceptRoute writes what a Gateway controller would: the route's parent
// gw accepted it.
func acceptRoute(t *testing.T, ns, name string) {
	t.Helper()
	status := `{"status":{"parents":[{"parentRef":{"name":"gw"},"controllerName":"example.com/gateway","conditions":[` +
		`{"type":"Accepted","status":"True","reason":"Accepted","message":"accepted by the test","lastTransitionTime":"2026-01-01T00:00:00Z"}]}]}}`
	mustKubectl(t, "patch", "httproute", name, "-n", ns, "--subresource=status", "--type=merge", "-p", status)
}

// httpRoute is an HTTPRoute attached to Gateway gw whose rules each send
// to Service backend: one with no matches (every request), one for GET
// /api, plus one to Service other.
func httpRoute(name, backend string) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: %[1]s
spec:
  parentRefs:
  - name: gw
  hostnames: ["%[1]s.example"]
  rules:
  - backendRefs:
    - name: %[2]s
      port: 80
  - matches:
    - path: {type: PathPrefix, value: /api}
      method: GET
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Api, value: "1"}]
    backendRefs:
    - name: %[2]s
      port: 80
  - matches:
    - path: {type: Exact, value: /other}
    backendRefs:
    - name: other
      port: 80
`, name, backend)
}
