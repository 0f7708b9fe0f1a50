//go:build linux

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// gates measures progressions (canary --steps): the requests of one gate
// check at 4 and at 40 pods, the time from a failing check to the abort's
// first write, and what a progression adds to the rollouts of its steps.
func gates(c *cluster, rounds int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "## Progressions\n\n")
	fmt.Fprintf(&b, "A canary with `--steps`, its built-in gate checking the pods every second (`--check-every 1s`).\n\n")
	fmt.Fprintf(&b, "| Release | Checks | Requests per check | of which LIST pods | LIST deployments | LIST services | LIST endpointslices | PUT lease (the check recorded) |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, pods := range []int32{4, 40} {
		row, err := c.checkRequests(pods)
		if err != nil {
			return "", err
		}
		b.WriteString(row)
	}
	fmt.Fprintf(&b, "\nEach check reads the release (its Deployments and Services), then at once its pods and its Services' EndpointSlices, one list each, and records its results in the release's lock, whatever the number of pods.\n\n")
	latencies, err := c.abortLatency(rounds)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "**From a failing check to the abort's first write** (a webhook gate answering 500; from its answer to the start of the DELETE of the canary, from the `-v=6` log; %d runs): median %.1f ms, max %.1f ms.\n\n",
		len(latencies), median(latencies, func(d float64) float64 { return d }), slices.Max(latencies))
	overhead, err := c.stepOverhead()
	if err != nil {
		return "", err
	}
	b.WriteString(overhead)
	return b.String(), nil
}

// checkRequests holds a one-step progression of a release of pods stable
// pods for 5 s and counts the requests of its checks.
func (c *cluster) checkRequests(pods int32) (string, error) {
	name := fmt.Sprintf("gates%d", pods)
	namespace, err := c.releaseNamespace(name, pods)
	if err != nil {
		return "", err
	}
	cmd := c.command(ship, namespace, "canary", name, "--image", image(name, "2.0"), "--steps", "50", "--interval", "5s", "--check-every", "1s", "--no-promote")
	var log strings.Builder
	if _, err := executeExplained(cmd.path, append([]string{"-v=6"}, cmd.args...), nil, &log); err != nil {
		return "", err
	}
	counts := map[string]int{}
	for _, r := range requestlog.Parse(log.String(), namespace) {
		switch {
		case r.Kind == "LIST" && strings.HasPrefix(r.Path, "/api/v1/namespaces/NS/pods"):
			counts["pods"]++
		case r.Kind == "LIST" && strings.HasPrefix(r.Path, "/apis/apps/v1/namespaces/NS/deployments"):
			counts["deployments"]++
		case r.Kind == "LIST" && strings.HasPrefix(r.Path, "/api/v1/namespaces/NS/services"):
			counts["services"]++
		case r.Kind == "LIST" && strings.HasPrefix(r.Path, "/apis/discovery.k8s.io/v1/namespaces/NS/endpointslices"):
			counts["endpointslices"]++
		case r.Kind == "PUT" && strings.Contains(r.Path, "/leases/"):
			counts["lease"]++
		}
	}
	// The release is read before the step and again after it (two LISTs of
	// the Deployments and of the Services); the lock is stamped at the
	// hold's start and end, with the progression complete, and freed (four
	// PUTs): the rest are the checks', those of the hold and those that
	// watched the wait before it (which record nothing).
	checks := counts["pods"]
	deployments, services, leases := counts["deployments"]-2, counts["services"]-2, counts["lease"]-4
	if checks == 0 {
		return "", fmt.Errorf("%s: no check ran", cmd.name)
	}
	per := func(n int) float64 { return float64(n) / float64(checks) }
	return fmt.Sprintf("| %d stable pods, %d canary | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", pods, pods, checks,
		per(checks+deployments+services+counts["endpointslices"]+leases), 1.0, per(deployments), per(services), per(counts["endpointslices"]), per(leases)), nil
}

// releaseNamespace creates a namespace of name with release name of pods
// pods, and waits until they are available.
func (c *cluster) releaseNamespace(name string, pods int32) (string, error) {
	ctx := context.Background()
	namespace := "bench-" + name
	if err := c.createNamespace(ctx, namespace); err != nil {
		return "", err
	}
	if err := c.createRelease(ctx, namespace, name, pods); err != nil {
		return "", err
	}
	return namespace, c.waitAvailable(ctx, namespace, 1, 2*time.Minute)
}

// klogTime is the time at the start of a klog line: "I1201 05:20:00.123456".
var klogTime = regexp.MustCompile(`(?m)^[IWE](\d{4} \d{2}:\d{2}:\d{2}\.\d{6}) .*"Response" verb="DELETE" url="[^"]*-canary" .* milliseconds=(\d+)`)

// abortLatency runs progressions whose webhook gate fails at the first
// check, and measures from the webhook's answer to the abort's first write.
func (c *cluster) abortLatency(rounds int) ([]float64, error) {
	namespace, err := c.releaseNamespace("gatefail", 4)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var answered time.Time
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
		mu.Lock()
		answered = time.Now()
		mu.Unlock()
	}))
	defer hook.Close()
	var latencies []float64
	for i := range rounds {
		cmd := c.command(ship, namespace, "canary", "gatefail", "--image", image("gatefail", fmt.Sprintf("2.%d", i)),
			"--steps", "50", "--interval", "10s", "--check-every", "1s", "--webhook", hook.URL)
		var log strings.Builder
		_, _ = executeExplained(cmd.path, append([]string{"-v=6"}, cmd.args...), nil, &log) // exits 4
		m := klogTime.FindStringSubmatch(log.String())
		if m == nil {
			return nil, fmt.Errorf("%s: no DELETE of the canary in its log", cmd.name)
		}
		logged, err := time.ParseInLocation("0102 15:04:05.000000", m[1], time.Local)
		if err != nil {
			return nil, err
		}
		var took time.Duration
		_, _ = fmt.Sscan(m[2], &took)
		mu.Lock()
		at := answered
		mu.Unlock()
		logged = logged.AddDate(at.Year(), 0, 0)
		start := logged.Add(-took * time.Millisecond)
		latencies = append(latencies, float64(start.Sub(at).Microseconds())/1000)
	}
	return latencies, nil
}

// stepOverhead runs a three-step progression and compares its time with
// the rollouts of its steps and its holds: what it adds per step, against
// the check interval.
func (c *cluster) stepOverhead() (string, error) {
	namespace, err := c.releaseNamespace("steps", 9)
	if err != nil {
		return "", err
	}
	const interval, every = 3 * time.Second, time.Second
	weights := []string{"10", "25", "50"}
	// The controller's own time for each step: the canary resized to its
	// weight and ready, as a plain canary command waits for it.
	var rollouts time.Duration
	for _, w := range weights {
		s, err := executeExplained(c.ship, c.command(ship, namespace, "canary", "steps", "--image", image("steps", "2.0"), "--weight", w).args, nil, nil)
		if err != nil {
			return "", err
		}
		rollouts += s.wall
	}
	if err := c.run(namespace, []string{"abort", "steps"}); err != nil {
		return "", err
	}
	cmd := c.command(ship, namespace, "canary", "steps", "--image", image("steps", "2.0"), "--steps", strings.Join(weights, ","),
		"--interval", interval.String(), "--check-every", every.String(), "--no-promote")
	s, err := executeExplained(cmd.path, cmd.args, nil, nil)
	if err != nil {
		return "", err
	}
	added := (s.wall - rollouts - time.Duration(len(weights))*interval) / time.Duration(len(weights))
	// Each of the three commands pays a start-up, a lock and a record that
	// the progression pays once: what a step adds can come out below zero.
	verdict := fmt.Sprintf("%.0f ms a step beyond the rollout and the hold", float64(added.Microseconds())/1000)
	if added < 0 {
		verdict = fmt.Sprintf("nothing measurable a step beyond the rollout and the hold (%.0f ms: the three commands each start, lock and record once more than the progression does)", float64(added.Microseconds())/1000)
	}
	return fmt.Sprintf("**What a progression adds per step** (steps 10,25,50 of 9 stable pods, each held %s, checked every %s): the whole progression took %.2f s; the three canary commands alone, %.2f s; so %s, against a check interval of %s.\n",
		interval, every, s.wall.Seconds(), rollouts.Seconds(), verdict, every), nil
}
