//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"testing"
)

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
