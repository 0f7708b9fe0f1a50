//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// withInitAndSidecar is a release web whose pods run one app container, an
// init container (migrate) and a native sidecar (proxy).
const withInitAndSidecar = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        track: stable
    spec:
      initContainers:
      - name: migrate
        image: example/migrate:1
      - name: proxy
        image: example/proxy:1
        restartPolicy: Always
      containers:
      - name: app
        image: example/web:1
---
` + "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n"

// Init container and sidecar images count as the release's images: a new
// one is a canary, a different one needs --replace and rolls the canary,
// status and list show it, promote ships it, and a bare image is for the
// app container only. A re-run with another init image once said "already
// at 33.3%: nothing to change" and promote shipped the old one.
func TestInitContainerAndSidecarImages(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, withInitAndSidecar)
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/web", "--timeout=60s")

	mustShip(t, ns, "canary", "web", "--image", "migrate=example/migrate:2")
	res := ship(t, ns, "canary", "web", "--image", "migrate=example/migrate:3")
	if want := "canary web-canary runs app=example/web:1, migrate=example/migrate:2, proxy=example/proxy:1, not app=example/web:1, migrate=example/migrate:3, proxy=example/proxy:1: pass --replace"; res.code != 1 || !strings.Contains(res.stderr, want) {
		t.Errorf("another init image without --replace: exit %d\n%s\nwant %s", res.code, res.stderr, want)
	}
	if res := mustShip(t, ns, "canary", "web", "--image", "migrate=example/migrate:3", "--replace"); !strings.Contains(res.stdout, "deployment.apps/web-canary configured") {
		t.Errorf("--replace should roll the canary: %s%s", res.stdout, res.stderr)
	}
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/web-canary", "--timeout=60s")

	st := shipStatus(t, ns, "web")
	for _, d := range st.Deployments {
		want := map[string]string{"stable": "example/web:1 example/migrate:1 example/proxy:1", "canary": "example/web:1 example/migrate:3 example/proxy:1"}[d.Role]
		if got := strings.Join(d.Images, " "); got != want {
			t.Errorf("%s images %s, want %s", d.Role, got, want)
		}
		var types []string
		for _, c := range d.Containers {
			types = append(types, c.Name+":"+c.Type)
		}
		if got := strings.Join(types, " "); got != "app:container migrate:initContainer proxy:sidecar" {
			t.Errorf("%s containers %s", d.Role, got)
		}
	}
	if text := mustShip(t, ns, "status", "web").stdout; !strings.Contains(text, "app=example/web:1,migrate=example/migrate:3,proxy=example/proxy:1") {
		t.Errorf("status text lacks the canary's init image:\n%s", text)
	}
	if list := mustShip(t, ns, "list").stdout; !strings.Contains(list, "migrate=example/migrate:3") {
		t.Errorf("list lacks the canary's init image:\n%s", list)
	}

	mustShip(t, ns, "promote", "web")
	if got := mustKubectl(t, "get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.spec.initContainers[0].image}"); got != "example/migrate:3" {
		t.Errorf("promote shipped migrate %s, want example/migrate:3", got)
	}

	// A bare image is for the one app container; init containers and
	// sidecars keep theirs.
	mustShip(t, ns, "set", "image", "web", "example/web:2")
	got := mustKubectl(t, "get", "deployment", "web", "-n", ns, "-o",
		`jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.initContainers[*].image}`)
	if got != "example/web:2 example/migrate:3 example/proxy:1" {
		t.Errorf("after set image of a bare image: %s", got)
	}
}
