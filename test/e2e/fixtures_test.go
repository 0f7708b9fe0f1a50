//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// seed says which of the seed's layouts seedRelease makes, and what it
// waits for.
type seed struct {
	versioned bool     // the pods labelled version=1.0.0 too: blue-green's layout
	appOnly   bool     // the pods labelled app=ctwoc alone: the most common layout
	rolledOut bool     // also wait, as a user would, for kubectl rollout status
	services  []string // more Services selecting app=ctwoc
}

// seedRelease creates, through client-go, the seed's ctwoc release in a new
// namespace: 3 pods of v1 labelled app=ctwoc, track=stable (and
// version=1.0.0 when versioned) behind the Service ctwoc, plus one more
// Service selecting app=ctwoc per name in services. It returns once the
// Service has 3 ready endpoints, and when rolledOut, once the Deployment's
// rollout is complete too: a command run then sees no rollout in progress.
func seedRelease(t *testing.T, s seed) string {
	t.Helper()
	ns := namespace(t)
	ctx := context.Background()
	if _, err := apiClient(t).AppsV1().Deployments(ns).Create(ctx, seedDeployment(s), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range append([]string{"ctwoc"}, s.services...) {
		if _, err := apiClient(t).CoreV1().Services(ns).Create(ctx, seedService(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if s.rolledOut {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/ctwoc", "--timeout=60s")
	}
	if ok, state := pollUntil(time.Minute, 100*time.Millisecond, func() (bool, string) {
		got := fmt.Sprint(servedImages(t, ns, "ctwoc"))
		return got == fmt.Sprint(map[string]int{v1: 3}), got
	}); !ok {
		t.Fatalf("the seed release does not serve: %s", state)
	}
	return ns
}

// seedDeployment is the seed's Deployment ctwoc: 3 pods of v1 labelled
// app=ctwoc, track=stable (app=ctwoc alone when appOnly), and version=1.0.0
// when versioned.
func seedDeployment(s seed) *appsv1.Deployment {
	d := fixture.NewDeployment("ctwoc").WithImage(v1)
	if s.appOnly {
		d = d.AppOnly()
	}
	if s.versioned {
		d = d.WithPodLabel("version", "1.0.0")
	}
	return fixture.ForCreate(d.V())
}

// seedService is a Service name in front of the seed's pods (app=ctwoc).
func seedService(name string) *corev1.Service {
	return fixture.ForCreate(fixture.NewService(name).WithSelector(map[string]string{"app": "ctwoc"}).WithPort(80).V())
}

// deploymentAndService is the seed's layout: a Deployment selecting app=NAME
// whose pods also carry track: stable, and a Service selecting app=NAME.
func deploymentAndService(name, image string, replicas int) string {
	return deployment(name, image, replicas) + "---\n" + service(name, name)
}

func deployment(name, image string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: %[3]d
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
        track: stable
    spec:
      containers:
      - name: %[1]s
        image: %[2]s
`, name, image, replicas)
}

func service(name, app string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %s
spec:
  selector:
    app: %s
  ports:
  - port: 80
`, name, app)
}

func decode(t *testing.T, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
