package fleet

import (
	"context"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// The built-in gate's defaults across clusters, for verbs whose gates the
// user did not set (canary --steps and --verify-for set them: --check-every,
// --ready-grace, --failure-limit, --inconclusive-limit).
const (
	// checkInterval is how often the built-in gate checks a cluster.
	checkInterval = 2 * time.Second
	// grace is how long a pod may stay not Ready before the gate fails.
	grace = 30 * time.Second
	// inconclusiveLimit is how many checks in a row may go unanswered
	// (the API server did not answer) before they count as a failure:
	// a blip is not a reason to roll a cluster back.
	inconclusiveLimit = 5
)

// health is the built-in gates over one cluster's release, from one read
// of it per check: while its operation runs, its pods (what a hold would
// fail on); while its wave soaks, the pods under test must run and the
// traffic have somewhere to go, and the user's analyses and webhooks are
// checked beside them. The restart counts of the first check are the
// baseline of every later one. A StatefulSet's release is judged by its
// revisions, a DaemonSet's by its canary's nodes, as their holds judge
// them.
type health struct {
	engine   Engine
	target   ship.Target
	gates    ship.Gates
	every    time.Duration
	builtIn  gate.BuiltIn
	stateful gate.StatefulBuiltIn
	daemon   gate.DaemonBuiltIn
	// kind is the workload's, from the first check that read it.
	kind    string
	tracker gate.Tracker
	soaking bool
	soaked  []gate.Gate
	// payload is what the soak's webhooks are sent.
	payload *gate.Payload
	// last is the pods gate's last result.
	last gate.Result
}

// newHealth watches target with gates' settings, or the defaults.
func newHealth(engine Engine, target ship.Target, gates ship.Gates) *health {
	h := &health{engine: engine, target: target, gates: gates, every: checkInterval, builtIn: gate.BuiltIn{Share: gate.AnyShare, Grace: grace},
		tracker: gate.Tracker{InconclusiveLimit: inconclusiveLimit}}
	if gates.CheckEvery > 0 {
		h.every, h.builtIn.Grace = gates.CheckEvery, gates.Grace
		h.tracker = gate.Tracker{FailureLimit: gates.FailureLimit, InconclusiveLimit: gates.InconclusiveLimit}
	}
	h.stateful = gate.StatefulBuiltIn{Share: gate.AnyShare, Grace: h.builtIn.Grace}
	h.daemon = gate.DaemonBuiltIn{Grace: h.builtIn.Grace, WholeWithoutCanary: true}
	return h
}

// check runs one check and returns why the cluster failed, or "".
func (h *health) check(ctx context.Context) string {
	seen, err := h.engine.Observe(ctx, h.target, h.kind)
	var results []gate.Result
	switch {
	case err != nil && ctx.Err() != nil:
		return "" // stopped, not unhealthy
	case err != nil:
		results = gate.Unknown(err)
	default:
		h.kind = seen.Kind()
		results = h.judge(seen, time.Now())
	}
	h.last = results[0]
	for _, g := range h.soaked {
		results = append(results, g.Check(ctx))
	}
	if outcome := h.tracker.Observe(results); outcome.Exhausted {
		return outcome.Reason
	}
	return ""
}

// judge runs the built-in gates of seen's kind at now: soaking, all of
// them, with the share of the traffic seen set in the webhooks' payload;
// else the pods alone.
func (h *health) judge(seen *release.Observed, now time.Time) []gate.Result {
	var actual float64
	var results []gate.Result
	switch {
	case seen.StatefulSet != nil && h.soaking:
		results, actual = h.stateful.Check(seen.StatefulSet, seen.Pods, now), h.stateful.Actual
	case seen.StatefulSet != nil:
		return []gate.Result{h.stateful.Starting(seen.StatefulSet, seen.Pods, now)}
	case seen.DaemonSet != nil && h.soaking:
		results, actual = h.daemon.Check(seen.DaemonSet, seen.Pods, now), 0 // a DaemonSet's pods serve their nodes, not a share
	case seen.DaemonSet != nil:
		return []gate.Result{h.daemon.Starting(seen.DaemonSet, seen.Pods, now)}
	case h.soaking:
		h.builtIn.Judged = seen.Release.UnderTest().Name
		results, actual = h.builtIn.Check(seen, now), h.builtIn.Actual
	default:
		h.builtIn.Judged = seen.Release.UnderTest().Name
		return []gate.Result{h.builtIn.Starting(seen, now)}
	}
	h.payload.ActualWeight = actual
	return results
}

// soak checks the cluster for d with the user's analyses and webhooks too,
// bound to the release as its operation left it. It returns why the
// cluster failed, or "" and whether d elapsed with every check passed.
func (h *health) soak(ctx context.Context, d time.Duration) (failure string, elapsed bool) {
	soaked, payload, err := h.engine.SoakGates(ctx, h.target, h.gates, d)
	if err != nil {
		if ctx.Err() != nil {
			return "", false
		}
		return "its gates could not be set up: " + err.Error(), false
	}
	h.soaked, h.payload, h.soaking = soaked, payload, true
	return h.watch(ctx, d)
}

// watch checks at once, then every h.every, for d (0: until ctx ends). It returns why the cluster failed, or "" and whether d elapsed
// with every check passed.
func (h *health) watch(ctx context.Context, d time.Duration) (failure string, elapsed bool) {
	var deadline <-chan time.Time
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		deadline = timer.C
	}
	tick := time.NewTicker(h.every)
	defer tick.Stop()
	for {
		if failure := h.check(ctx); failure != "" {
			return failure, false
		}
		select {
		case <-ctx.Done():
			return "", false
		case <-deadline:
			// A last look at the end, so that the soak covers all of d.
			failure := h.check(ctx)
			return failure, failure == "" && ctx.Err() == nil
		case <-tick.C:
		}
	}
}
