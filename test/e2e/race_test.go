//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// raceCase is two commands run at the same moment on one release, from the
// state setup leaves; endState names the state they left, which must be one
// that running them one after the other leaves.
type raceCase struct {
	name      string
	versioned bool
	setup     [][]string
	a, b      []string
	endState  func(t *testing.T, ns string) string
	serial    []string
	// bothAct is set when, run one after the other, both commands change
	// the release (cleanup after a switch scales the new idle color).
	bothAct bool
}

var raceCases = []raceCase{
	{name: "promote and abort", setup: [][]string{canary25}, a: promote, b: abort,
		endState: deploymentsState, serial: []string{
			"ctwoc=" + v2, // promote, then abort finds no canary
			"ctwoc=" + v1, // abort, then promote finds no canary
		}},
	{name: "canary and bluegreen", a: []string{"ship", "canary", "ctwoc", "--image", v2, "--wait=false"},
		b: []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--wait=false"}, endState: deploymentsState,
		serial: []string{
			"ctwoc-canary=" + v2 + " ctwoc=" + v1, // canary, then bluegreen refuses
			"ctwoc-green=" + v2 + " ctwoc=" + v1,  // bluegreen, then canary refuses
		}},
	{name: "switch and cleanup", versioned: true, setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}},
		a: []string{"ship", "bluegreen-switch", "ctwoc"}, b: []string{"ship", "bluegreen", "cleanup", "ctwoc"},
		endState: colorsState, bothAct: true, serial: []string{
			"green serves; ctwoc=0 ctwoc-green=3", // switch, then cleanup scales blue down
			"blue serves; ctwoc=3 ctwoc-green=0",  // cleanup scales green down, then switch refuses
			"green serves; ctwoc=3 ctwoc-green=3", // switch, while cleanup was refused: busy
		}},
}

// TestTwoCommandsAtOnce runs each pair of commands at the same moment, in
// rounds, each in a namespace of its own: in every round at most one of them
// may change the release (the other is refused, or finds nothing to do)
// unless one after the other both would, the release must end as running
// them one after the other leaves it, and its Service never goes dark.
// SHIP_E2E_RACE_ROUNDS sets the rounds per pair (default 50).
func TestTwoCommandsAtOnce(t *testing.T) {
	t.Parallel()
	rounds := envInt("SHIP_E2E_RACE_ROUNDS", 50)
	slots := matrixSlots // shared with the crash matrix
	var wg sync.WaitGroup
	var mu sync.Mutex
	tally := map[string]map[string]int{}
	for _, c := range raceCases {
		tally[c.name] = map[string]int{}
		for round := range rounds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.Run(fmt.Sprintf("%s/%d", c.name, round), func(t *testing.T) {
					slot(slots, func() {
						outcome := c.race(t)
						mu.Lock()
						tally[c.name][outcome]++
						mu.Unlock()
					})
				})
			}()
		}
	}
	wg.Wait()
	for _, c := range raceCases {
		t.Logf("%s, %d rounds: %v", c.name, rounds, tally[c.name])
	}
}

// race runs one round and says how it ended: which command changed the
// release, and how the other ended.
func (c raceCase) race(t *testing.T) string {
	ns := seedRelease(t, seed{versioned: c.versioned})
	for _, args := range c.setup {
		mustRun(t, ns, args)
	}
	watcher := watchEndpoints(t, ns, "ctwoc")
	defer watcher.assertNeverDark(t)
	a, b := startIn(t, ns, c.a), startIn(t, ns, c.b)
	ra, rb := a.wait(t), b.wait(t)
	changedA, changedB := ra.stdout != "", rb.stdout != ""
	switch {
	case changedA && changedB && !c.bothAct:
		t.Errorf("both changed the release:\n%s: exit %d\n%s%s\n%s: exit %d\n%s%s",
			strings.Join(c.a, " "), ra.code, ra.stdout, ra.stderr, strings.Join(c.b, " "), rb.code, rb.stdout, rb.stderr)
	case ra.code == 0 && rb.code == 0 && !changedA && !changedB:
		t.Errorf("both succeeded and neither changed anything:\n%s\n%s", ra.stderr, rb.stderr)
	}
	for _, r := range []result{ra, rb} {
		if r.code != 0 && r.stdout != "" {
			t.Errorf("a command that failed had changed the release: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	}
	state := c.endState(t, ns)
	if !slices.Contains(c.serial, state) {
		t.Errorf("the release ended as %q, which no serial order leaves (%q)", state, c.serial)
	}
	switch {
	case changedA && changedB:
		return "both, one after the other"
	case changedB:
		return fmt.Sprintf("%s changed it, the other exit %d", c.b[1], ra.code)
	}
	return fmt.Sprintf("%s changed it, the other exit %d", c.a[1], rb.code)
}

type started struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

func startIn(t *testing.T, ns string, args []string) *started {
	t.Helper()
	return startWith(t, env.kubeconfig, ns, args)
}

// startWith starts kubectl args in ns with kubeconfig: the suite's, or the
// fleet's.
func startWith(t *testing.T, kubeconfig, ns string, args []string) *started {
	t.Helper()
	s := &started{cmd: exec.Command("kubectl", append(append([]string{}, args...), "-n", ns)...)}
	s.cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+kubeconfig)
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *started) wait(t *testing.T) result {
	t.Helper()
	err := s.cmd.Wait()
	res := result{stdout: s.stdout.String(), stderr: s.stderr.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		res.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return res
}

// deploymentsState lists the Deployments of ns and their images, sorted by
// name, longest first: "ctwoc-canary=IMAGE ctwoc=IMAGE".
func deploymentsState(t *testing.T, ns string) string {
	t.Helper()
	list, err := apiClient(t).AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for i := len(list.Items) - 1; i >= 0; i-- {
		d := list.Items[i]
		parts = append(parts, d.Name+"="+d.Spec.Template.Spec.Containers[0].Image)
	}
	return strings.Join(parts, " ")
}

// colorsState says which color the Service routes to and each color's size.
func colorsState(t *testing.T, ns string) string {
	t.Helper()
	ctx := context.Background()
	svc, err := apiClient(t).CoreV1().Services(ns).Get(ctx, "ctwoc", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	color := "blue"
	if svc.Spec.Selector["version"] == "2.0.0" {
		color = "green"
	}
	sizes := []string{}
	for _, name := range []string{"ctwoc", "ctwoc-green"} {
		d, err := apiClient(t).AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, fmt.Sprintf("%s=%d", name, *d.Spec.Replicas))
	}
	return color + " serves; " + strings.Join(sizes, " ")
}
