//go:build linux

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// waitCase is one kind of wait: a command run again and again, and the
// objects whose changes it waits for. Each case has a namespace of its own,
// bench-RELEASE.
type waitCase struct {
	name    string
	release string
	// setup prepares the release once, args gives round i's command and
	// undo what runs after it, neither measured.
	setup, undo []string
	args        func(i int) []string
	// watch follows the objects the command waits on, from now.
	watch func(ctx context.Context, c *cluster, namespace string) (watch.Interface, error)
}

func (wc waitCase) namespace() string { return "bench-" + wc.release }

var waitCases = []waitCase{
	{
		name:    "`set image`: the rollout completes",
		release: "roll",
		args:    func(i int) []string { return []string{"set", "image", "roll", image("roll", fmt.Sprintf("1.%d", i+1))} },
		watch:   watchDeployment("roll"),
	},
	{
		name:    "`canary`: the canary's pods are ready",
		release: "can",
		args: func(i int) []string {
			return []string{"canary", "can", "--image", image("can", fmt.Sprintf("2.%d", i)), "--weight", "25"}
		},
		undo:  []string{"abort", "can"},
		watch: watchDeployment("can-canary"),
	},
	{
		name:    "`bluegreen-switch`: the Service's endpoints are the other color's",
		release: "bg",
		setup:   []string{"bluegreen", "bg", "--image", image("bg", "2.0")},
		args: func(i int) []string {
			return []string{"bluegreen-switch", "bg", "--to", []string{"green", "blue"}[i%2]}
		},
		watch: func(ctx context.Context, c *cluster, namespace string) (watch.Interface, error) {
			slices := c.client.DiscoveryV1().EndpointSlices(namespace)
			opts := metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=bg"}
			list, err := slices.List(ctx, opts)
			if err != nil {
				return nil, err
			}
			opts.ResourceVersion = list.ResourceVersion
			return slices.Watch(ctx, opts)
		},
	},
}

func watchDeployment(name string) func(context.Context, *cluster, string) (watch.Interface, error) {
	return func(ctx context.Context, c *cluster, namespace string) (watch.Interface, error) {
		deployments := c.client.AppsV1().Deployments(namespace)
		opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()}
		list, err := deployments.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		opts.ResourceVersion = list.ResourceVersion
		return deployments.Watch(ctx, opts)
	}
}

// waitLatency measures how soon after the condition it waits for comes true
// each waiting command returns: from the last watch event on the objects it
// waits on, seen by this program at the same time as by ship, to its exit.
func waitLatency(c *cluster, rounds int) (string, error) {
	ctx := context.Background()
	var b strings.Builder
	fmt.Fprintf(&b, "## Wait latency\n\nFrom the last watch event on the objects a command waits for (seen by the benchmark's own watch) to the command's exit; %d runs each.\n\n", rounds)
	fmt.Fprintln(&b, "| Wait | Median ms | Max ms | Median command s |")
	fmt.Fprintln(&b, "|---|--:|--:|--:|")
	for _, wc := range waitCases {
		if err := c.createNamespace(ctx, wc.namespace()); err != nil {
			return "", err
		}
		if err := c.createRelease(ctx, wc.namespace(), wc.release, 4); err != nil {
			return "", err
		}
		if err := c.waitAvailable(ctx, wc.namespace(), 1, time.Minute); err != nil {
			return "", err
		}
		if err := c.run(wc.namespace(), wc.setup); err != nil {
			return "", err
		}
		var latencies, walls []time.Duration
		for i := range rounds {
			latency, wall, err := c.latencyOf(ctx, wc, i)
			if err != nil {
				return "", err
			}
			latencies, walls = append(latencies, latency), append(walls, wall)
		}
		ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f |\n", wc.name, median(latencies, ms), ms(slices.Max(latencies)),
			median(walls, func(d time.Duration) float64 { return d.Seconds() }))
	}
	fmt.Fprintln(&b, "\nTarget: within 200 ms of the condition coming true. ship's waits follow watches, never a polling interval; what follows the last event is ship recording the operation (a PUT and a POST) and exiting.")
	return b.String(), nil
}

// latencyOf runs round i of wc and returns the time from the last event
// before the command exited to its exit, and the command's wall time.
func (c *cluster) latencyOf(ctx context.Context, wc waitCase, i int) (time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := wc.watch(ctx, c, wc.namespace())
	if err != nil {
		return 0, 0, err
	}
	// When each event arrived; read only once done is closed.
	var events []time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range w.ResultChan() {
			events = append(events, time.Now())
		}
	}()
	cmd := c.command(ship, wc.namespace(), wc.args(i)...)
	s, err := executeExplained(cmd.path, cmd.args, nil, nil)
	w.Stop()
	<-done
	if err != nil {
		return 0, 0, err
	}
	if err := c.run(wc.namespace(), wc.undo); err != nil {
		return 0, 0, err
	}
	last := time.Time{}
	for _, t := range events {
		if t.Before(s.end) {
			last = t
		}
	}
	if last.IsZero() {
		return 0, 0, fmt.Errorf("%s: no watch event while it ran", strings.Join(wc.args(i), " "))
	}
	return s.end.Sub(last), s.wall, nil
}
