//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The walkthrough's manifests (testdata/walkthrough, written from the seed's
// description): a release made by hand, as kubectl-ship's first users have
// it in git when they reach for it.
var (
	walkthroughCanary    = []string{"deployments/ctwoc.yaml", "services/ctwoc.yaml", "deployments/ctwoc-canary.yaml"}
	walkthroughBlueGreen = []string{"deployments/ctwoc.yaml", "services/ctwoc-blue.yaml", "deployments/ctwoc-green.yaml"}
)

// walkthroughManifest reads the walkthrough's files, as one stream.
func walkthroughManifest(t *testing.T, files ...string) string {
	t.Helper()
	var docs []string
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join("testdata", "walkthrough", f))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(raw))
	}
	return strings.Join(docs, "---\n")
}

// walkthroughRelease applies the walkthrough's files in a namespace of its
// own and returns once every Deployment has rolled out and the Service
// ctwoc serves.
func walkthroughRelease(t *testing.T, files ...string) string {
	t.Helper()
	ns := namespace(t)
	apply(t, ns, walkthroughManifest(t, files...))
	want := map[string]int{}
	for _, f := range files {
		if name, ok := strings.CutPrefix(f, "deployments/"); ok {
			mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+strings.TrimSuffix(name, ".yaml"), "--timeout=60s")
		}
	}
	switch {
	case slices.Contains(files, "services/ctwoc-blue.yaml"):
		want[v1] = 3
	case slices.Contains(files, "deployments/ctwoc-canary.yaml"):
		want[v1], want[v2] = 3, 1
	default:
		want[v1] = 3
	}
	eventuallyServed(t, ns, "ctwoc", want)
	return ns
}

// podNames lists the namespace's pods: adoption must leave every one.
func podNames(t *testing.T, ns string) string {
	t.Helper()
	pods, err := apiClient(t).CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// podTemplate is a Deployment's pod labels and first image.
func podTemplate(t *testing.T, ns, name string) string {
	t.Helper()
	d, err := apiClient(t).AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return labels.Set(d.Spec.Template.Labels).String() + " " + d.Spec.Template.Spec.Containers[0].Image
}

// adoptKeepingPods adopts the release, checking that it said what it would
// change, that it changed no pod, and that it wrote with ship's field
// manager.
func adoptKeepingPods(t *testing.T, ns, member, note string) {
	t.Helper()
	before := podNames(t, ns)
	dry := mustShip(t, ns, "adopt", "ctwoc", "--dry-run=client")
	if !strings.Contains(dry.stderr, note) || dry.stdout != "deployment.apps/"+member+" adopted (dry run)\n" {
		t.Errorf("adopt --dry-run=client:\n%s%s", dry.stdout, dry.stderr)
	}
	res := mustShip(t, ns, "adopt", "ctwoc")
	if !strings.Contains(res.stderr, note) || res.stdout != "deployment.apps/"+member+" adopted\n" {
		t.Errorf("adopt:\n%s%s", res.stdout, res.stderr)
	}
	if again := mustShip(t, ns, "adopt", "ctwoc"); !strings.Contains(again.stderr, "is already kubectl-ship's: nothing to adopt") || again.stdout != "" {
		t.Errorf("adopt again:\n%s%s", again.stdout, again.stderr)
	}
	settledSnapshot(t, ns)
	if after := podNames(t, ns); after != before {
		t.Errorf("adoption changed the pods:\nbefore %s\nafter  %s", before, after)
	}
	d, err := apiClient(t).AppsV1().Deployments(ns).Get(context.Background(), member, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	managers := map[string]bool{}
	for _, f := range d.ManagedFields {
		managers[f.Manager] = true
	}
	if !managers["kubectl-ship"] {
		t.Errorf("deployment %s: field managers %v, want kubectl-ship among them", member, managers)
	}
}
