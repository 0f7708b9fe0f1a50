//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// A Deployment name of 70 characters is valid, and every verb works on it:
// ship's label holds a bounded form of the name, its annotation the name.
func TestLongReleaseName(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := "shop-" + strings.Repeat("frontend-", 7) + "x"
	// The name is no label value nor container name: the pods are app:
	// shop, their container shop, behind Service shop.
	manifest := strings.ReplaceAll(strings.ReplaceAll(deployment(name, v1, 2), "app: "+name, "app: shop"), "- name: "+name, "- name: shop")
	apply(t, ns, manifest+"---\n"+service("shop", "shop"))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+name, "--timeout=60s")
	mustShip(t, ns, "canary", name, "--image", v2)
	if out := mustShip(t, ns, "status", name).stdout; !strings.Contains(out, name+"-canary") {
		t.Errorf("status should show the canary:\n%s", out)
	}
	if out := mustShip(t, ns, "list").stdout; strings.Count(out, "\n") != 2 {
		t.Errorf("list should show one release:\n%s", out)
	}
	mustShip(t, ns, "promote", name)
	if history := mustShip(t, ns, "history", name).stdout; !strings.Contains(history, "kubectl ship promote "+name) {
		t.Errorf("history:\n%s", history)
	}
}

// What a careful user would want of the weight, said before anything
// changes, and warnings of what would move it.
func TestCanaryWeightRules(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	assertRefused(t, ns, 1, "weight 10% cannot be reached beside 3 stable pods (closest: 25.0% with 1 canary pod); 9 stable and 1 canary pod give it exactly",
		"canary", "ctwoc", "--image", v2, "--weight", "10")
	assertRefused(t, ns, 1, "weight 99% needs more canary pods than stable ones (297 beside 3): give the canary's size with --replicas 297",
		"canary", "ctwoc", "--image", v2, "--weight", "99")
	// An autoscaler on the stable Deployment: scale would fight it, and
	// the canary's share moves with it.
	_, err := apiClient(t).AutoscalingV2().HorizontalPodAutoscalers(ns).Create(context.Background(), &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "ctwoc"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "ctwoc"},
			MinReplicas:    ptr.To[int32](3), MaxReplicas: 10,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertRefused(t, ns, 1, "deployment ctwoc is scaled by HorizontalPodAutoscaler ctwoc (3 to 10 pods), which would undo a scale", "scale", "ctwoc", "--replicas", "6")
	res := mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	if !strings.Contains(res.stderr, "HorizontalPodAutoscaler ctwoc scales deployment ctwoc between 3 and 10 pods, and the canary's share moves with it (9.1% to 25.0%)") {
		t.Errorf("the canary should warn of the autoscaler:\n%s", res.stderr)
	}
}

// A canary made sticky through one Service is restored by a promote that
// names another: every Service ship changed goes back.
func TestPromoteRestoresEveryStickyService(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{services: []string{"ctwoc-internal"}})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--service", "ctwoc", "--sticky")
	mustShip(t, ns, "promote", "ctwoc", "--service", "ctwoc-internal")
	for _, svc := range []string{"ctwoc", "ctwoc-internal"} {
		got := mustKubectl(t, "get", "svc", svc, "-n", ns, "-o", "jsonpath={.spec.sessionAffinity} {.metadata.annotations}")
		if strings.TrimSpace(got) != "None" {
			t.Errorf("service %s after promote: %q, want None and no saved affinity", svc, got)
		}
	}
}

// A headless Service has no affinity to make sticky: refused.
func TestStickyOnAHeadlessService(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deployment("db", v1, 1)+"---\n"+strings.Replace(service("db", "db"), "spec:\n", "spec:\n  clusterIP: None\n", 1))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/db", "--timeout=60s")
	assertRefused(t, ns, 1, "service db is headless (clusterIP: None)", "canary", "db", "--image", v2, "--sticky")
}

// A preview Service's name is checked before anything is written: with a
// release named web.v1, NAME-preview is no Service name, and the flag that
// avoids it is named.
func TestBlueGreenNamesCheckedFirst(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	// A Deployment may have dots in its name; its container and its
	// Service may not.
	manifest := strings.NewReplacer("name: web-v1\nspec:\n  replicas", "name: web.v1\nspec:\n  replicas").
		Replace(deploymentAndService("web-v1", v1, 1))
	apply(t, ns, manifest)
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/web.v1", "--timeout=60s")
	assertRefused(t, ns, 1, `the preview Service cannot be named "web.v1-preview"`, "bluegreen", "web.v1", "--image", v2, "--preview-service")
	mustShip(t, ns, "bluegreen", "web.v1", "--image", v2, "--preview-service-name", "web-v1-preview")
}

// Pausing the stable Deployment while promote waits for its rollout stops
// promote at once, with the command that resumes it.
func TestPauseDuringPromote(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2)
	stallRollouts(t, ns, "4") // 3 stable and 1 canary pod: no room to surge
	promote := exec.Command("kubectl", "ship", "-n", ns, "promote", "ctwoc", "--timeout", "2m")
	promote.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	var out strings.Builder
	promote.Stderr = &out
	if err := promote.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "promote rolled the stable template", func() (bool, string) {
		return imageOf(t, ns, "ctwoc") == v2, imageOf(t, ns, "ctwoc")
	})
	mustKubectl(t, "rollout", "pause", "-n", ns, "deployment/ctwoc")
	start := time.Now()
	err := promote.Wait()
	if err == nil || time.Since(start) > 30*time.Second || !strings.Contains(out.String(), "deployment ctwoc was paused before its rollout finished: resume it with 'kubectl rollout resume deployment/ctwoc'") {
		t.Errorf("promote should stop at once, saying how to resume: %v after %s\n%s", err, time.Since(start).Round(time.Second), out.String())
	}
}

// The record names who ran each operation, as the API server knew them,
// and the local account it ran from.
func TestRecordNamesTheUser(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{})
	bindRole(t, ns, "alice", forReleases(readRole(t, "role.yaml"), "ctwoc"))
	mustShip(t, ns, "--as", "alice", "canary", "ctwoc", "--image", v2)
	account, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if history := mustShip(t, ns, "history", "ctwoc").stdout; !strings.Contains(history, "alice ("+account.Username+"@"+host+")") {
		t.Errorf("history should name alice, and the account it ran from:\n%s", history)
	}
}
