//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// releaseStatus is what the tests read of `kubectl ship status -o json`.
type releaseStatus struct {
	Kind        string `json:"kind"`
	APIVersion  string `json:"apiVersion"`
	Strategy    string `json:"strategy"`
	Phase       string `json:"phase"`
	Deployments []struct {
		Name       string   `json:"name"`
		Role       string   `json:"role"`
		Serving    *bool    `json:"serving"`
		Images     []string `json:"images"`
		Containers []struct {
			Name  string `json:"name"`
			Image string `json:"image"`
			Type  string `json:"type"`
		} `json:"containers"`
		HandMade bool `json:"handMade"`
		Adopted  bool `json:"adopted"`
	} `json:"deployments"`
	Services []struct {
		Name           string             `json:"name"`
		ReadyEndpoints map[string]int     `json:"readyEndpoints"`
		Traffic        map[string]float64 `json:"traffic"`
		Others         []struct {
			Kind           string  `json:"kind"`
			Name           string  `json:"name"`
			ReadyEndpoints int     `json:"readyEndpoints"`
			Traffic        float64 `json:"traffic"`
		} `json:"others"`
	} `json:"services"`
	Routes []struct {
		Kind         string   `json:"kind"`
		Name         string   `json:"name"`
		Drives       bool     `json:"drives"`
		Missing      bool     `json:"missing"`
		CanaryWeight *float64 `json:"canaryWeight"`
		CanaryShare  *float64 `json:"canaryShare"`
		Parents      []struct {
			Name         string `json:"name"`
			Accepted     bool   `json:"accepted"`
			ResolvedRefs string `json:"resolvedRefs"`
		} `json:"parents"`
	} `json:"routes"`
	Operation   string `json:"operation"`
	Progression struct {
		Phase   string `json:"phase"`
		Step    int    `json:"step"`
		Reason  string `json:"reason"`
		EndedBy string `json:"endedBy"`
		Gates   []struct {
			Gate, Verdict string
		} `json:"gates"`
	} `json:"progression"`
	Warnings []string `json:"warnings"`
}

// shipStatus is release name's status as scripts read it, with status's
// flags args (--canary NAME).
func shipStatus(t *testing.T, ns, name string, args ...string) releaseStatus {
	t.Helper()
	var st releaseStatus
	if err := json.Unmarshal([]byte(mustShip(t, ns, append([]string{"status", name, "-o", "json"}, args...)...).stdout), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// roles sums up a status: "stable=ctwoc canary=ctwoc-canary(made by hand)".
func (st releaseStatus) roles() string {
	var parts []string
	for _, d := range st.Deployments {
		part := d.Role + "=" + d.Name
		switch {
		case d.Adopted:
			part += "(adopted)"
		case d.HandMade:
			part += "(made by hand)"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " ")
}

// byImage turns status's ready endpoints per role into ready endpoints per
// image, to compare with what the EndpointSlices say.
func byImage(st releaseStatus) map[string]int {
	images := map[string]string{}
	for _, d := range st.Deployments {
		images[d.Role] = d.Images[0]
	}
	out := map[string]int{}
	for role, n := range st.Services[0].ReadyEndpoints {
		out[images[role]] += n
	}
	return out
}

func TestStatusFollowsTheCanaryFlow(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	st := shipStatus(t, ns, "ctwoc")
	if st.Kind != "ReleaseStatus" || st.APIVersion != "kubectl-ship.dev/v1alpha1" || st.Strategy != "none" || st.Phase != "Healthy" {
		t.Fatalf("status of a plain release: %+v", st)
	}

	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25", "--wait=false")
	mustShip(t, ns, "status", "ctwoc", "--until", "canary-ready", "--timeout", "60s")
	eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})
	st = shipStatus(t, ns, "ctwoc")
	if st.Strategy != "canary" || st.Services[0].Traffic["canary"] != 25 {
		t.Errorf("canary status: %+v", st)
	}
	if got, want := fmt.Sprint(byImage(st)), fmt.Sprint(servedImages(t, ns, "ctwoc")); got != want {
		t.Errorf("status counts %s, the EndpointSlices %s", got, want)
	}
	if out := mustShip(t, ns, "status", "ctwoc", "-o", "jsonpath={.services[0].traffic.canary}").stdout; out != "25" {
		t.Errorf("jsonpath: %q", out)
	}
	text := mustShip(t, ns, "status", "ctwoc").stdout
	for _, want := range []string{"Release ctwoc", "canary 25.0% (1), stable 75.0% (3); 25% requested", "ctwoc-canary"} {
		if !strings.Contains(text, want) {
			t.Errorf("text status lacks %q:\n%s", want, text)
		}
	}

	list := mustShip(t, ns, "list").stdout
	if !strings.Contains(list, "canary") || !strings.Contains(list, "25.0%") || !strings.Contains(list, v2) {
		t.Errorf("list:\n%s", list)
	}
}

func TestStatusBlueGreen(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{versioned: true, rolledOut: true})
	mustShip(t, ns, "bluegreen", "ctwoc", "--image", v2)
	mustShip(t, ns, "bluegreen-switch", "ctwoc")
	mustShip(t, ns, "status", "ctwoc", "--until", "switched", "--timeout", "60s")
	st := shipStatus(t, ns, "ctwoc")
	if st.Strategy != "blue-green" || st.Services[0].Traffic["green"] != 100 {
		t.Errorf("blue-green status: %+v", st)
	}
	for _, d := range st.Deployments {
		if d.Serving == nil || *d.Serving != (d.Role == "green") {
			t.Errorf("%s serving = %v", d.Name, d.Serving)
		}
	}
	// After the switch blue is idle and runs the older image: list says so,
	// under columns named for both strategies (it once showed blue's image
	// under NEW IMAGE).
	list := mustShip(t, ns, "list").stdout
	for _, want := range []string{"STABLE/SERVING", "CANARY/IDLE", v2 + " (green)", v1 + " (blue)"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	if strings.Index(list, v2+" (green)") > strings.Index(list, v1+" (blue)") {
		t.Errorf("the serving color comes first:\n%s", list)
	}
}

// status --watch prints the status once while nothing it shows changes, as
// kubectl get -w does, however many events arrive: an unrelated Deployment
// of the namespace coming, scaling and going, and a label on the release's
// own Deployment (not an annotation: that bumps its generation, and the
// rollout is briefly not observed, which status shows). It once printed the
// same block again on every event.
func TestStatusWatchPrintsOnlyChanges(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	watch := exec.Command("kubectl", "ship", "-n", ns, "status", "ctwoc", "--watch", "--timeout", "10s")
	watch.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	var stdout, stderr bytes.Buffer
	watch.Stdout, watch.Stderr = &stdout, &stderr
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = watch.Process.Kill() })
	time.Sleep(2 * time.Second) // the first status is printed
	apply(t, ns, deployment("unrelated", v1, 1))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/unrelated", "--timeout=60s")
	mustKubectl(t, "scale", "-n", ns, "deployment/unrelated", "--replicas=2")
	mustKubectl(t, "label", "-n", ns, "deployment/ctwoc", "e2e/touched=yes")
	mustKubectl(t, "delete", "-n", ns, "deployment/unrelated", "--wait=false")
	err := watch.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "timed out") {
		t.Errorf("--timeout should end the watch with exit 2: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "Release ctwoc (namespace "); n != 1 {
		t.Errorf("the unchanged status was printed %d times:\n%s", n, stdout.String())
	}

	// A change it shows is printed, after a blank line.
	watch = exec.Command("kubectl", "ship", "-n", ns, "status", "ctwoc", "--watch", "--timeout", "8s")
	watch.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+env.kubeconfig)
	stdout.Reset()
	watch.Stdout = &stdout
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = watch.Process.Kill() })
	time.Sleep(2 * time.Second)
	mustKubectl(t, "scale", "-n", ns, "deployment/ctwoc", "--replicas=4")
	_ = watch.Wait()
	if out := stdout.String(); !strings.Contains(out, "stable 100.0% (4)") || !strings.Contains(out, "\n\nRelease ctwoc (namespace ") {
		t.Errorf("the scaled release should be printed again, after a blank line:\n%s", out)
	}
}

func TestStatusExitCodes(t *testing.T) {
	t.Parallel()
	ns := seedRelease(t, seed{rolledOut: true})
	if res := ship(t, ns, "status", "nope"); res.code != 3 || !strings.Contains(res.stderr, "deployment nope not found") {
		t.Errorf("unknown release: exit %d %s", res.code, res.stderr)
	}
	if res := ship(t, ns, "status", "ctwoc", "--until", "switched", "--timeout", "1s"); res.code != 2 || !strings.Contains(res.stderr, "timed out") {
		t.Errorf("timeout: exit %d %s", res.code, res.stderr)
	}
	if res := ship(t, ns, "status", "ctwoc", "--until", "someday"); res.code != 1 || !strings.Contains(res.stderr, "--until must be") || res.stdout != "" {
		t.Errorf("bad --until: exit %d %s", res.code, res.stderr)
	}
	// A rollout that cannot finish (its new pods fit no node) exceeds its
	// progress deadline: degraded.
	mustKubectl(t, "patch", "-n", ns, "deployment/ctwoc", "--type=merge", "-p",
		`{"spec":{"progressDeadlineSeconds":1,"template":{"spec":{"nodeSelector":{"no-such-node":"true"}}}}}`)
	eventually(t, "the progress deadline passes", func() (bool, string) {
		res := ship(t, ns, "status", "ctwoc")
		return res.code == 1, fmt.Sprintf("exit %d: %s", res.code, res.stderr)
	})
	if res := ship(t, ns, "status", "ctwoc"); !strings.Contains(res.stderr, "exceeded its progress deadline") || !strings.Contains(res.stdout, "Degraded") {
		t.Errorf("degraded: %s%s", res.stdout, res.stderr)
	}
}
