package ship

import (
	"context"
	"fmt"
	"net/http"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// Gates are what a Hold checks beside the built-in pod health, and how
// often and how strictly.
type Gates struct {
	// CheckEvery is the time between checks.
	CheckEvery time.Duration
	// Grace is how long a pod may be not Ready before it fails the
	// built-in gate.
	Grace time.Duration
	// FailureLimit failed checks are survived; InconclusiveLimit
	// inconclusive results in a row of one gate make a failed check.
	FailureLimit, InconclusiveLimit int
	Analyses                        []*gate.Analysis
	// Prometheus is where the analyses' queries go.
	Prometheus gate.Location
	Webhooks   []*gate.Webhook
}

// checker checks the gates of one hold: one list of the release's pods and
// Deployments (a constant two requests, whatever the pods), then each
// analysis and webhook.
type checker struct {
	client *kube.Client
	rel    *release.Release
	// judged is the Deployment under test: the canary, or the new color.
	judged   *appsv1.Deployment
	grace    time.Duration
	gates    []gate.Gate
	restarts map[string]int32
}

// checker builds the gates a hold of step checks on the release as last
// read, its analyses' queries rendered for it.
func (r *run) checker(step strategy.Step) (*checker, error) {
	rel := r.snap.Release
	judged, _ := step.Object.(*appsv1.Deployment)
	if judged == nil {
		return nil, fmt.Errorf("a hold judges a Deployment, not a %T", step.Object)
	}
	c := &checker{client: r.client, rel: rel, judged: judged, grace: r.o.Gates.Grace}
	var err error
	c.gates, err = bindGates(r.client, r.t, rel, judged, r.o.Gates, step.Duration, payload(r.t, rel, judged, string(release.ProgressionRunning), step.Progression))
	return c, err
}

// bindGates binds the analyses and webhooks of gates to judged, a
// Deployment of rel, checked over window: the analyses' queries rendered
// for it, the webhooks told p.
func bindGates(client *kube.Client, t Target, rel *release.Release, judged *appsv1.Deployment, gates Gates, window time.Duration, p gate.Payload) ([]gate.Gate, error) {
	var bound []gate.Gate
	if len(gates.Analyses) > 0 {
		prom := &gate.Prometheus{URL: gates.Prometheus.BaseURL(client.Host())}
		if gates.Prometheus.Service != nil {
			prom.Client = client.HTTPClient() // through the API server's service proxy
		} else {
			prom.Client = http.DefaultClient
		}
		vars := gate.Vars{Name: rel.Stable.Name, Namespace: t.Namespace, Stable: rel.Stable.Name,
			Canary: judged.Name, Service: serviceName(rel), Interval: gate.PromDuration(window)}
		for _, a := range gates.Analyses {
			g, err := gate.NewAnalysisGate(a, vars, prom)
			if err != nil {
				return nil, err
			}
			bound = append(bound, g)
		}
	}
	for _, w := range gates.Webhooks {
		bound = append(bound, w.Bind(p))
	}
	return bound, nil
}

// preflight checks, before the first write of a plan that holds, that the
// analyses can be evaluated at all: a query Prometheus rejects or a
// Prometheus that does not answer is the user's to fix before anything
// starts.
func (r *run) preflight(ctx context.Context, plan strategy.Plan) error {
	return r.eachHold(plan, func(_ strategy.Step, c *checker) error {
		for _, g := range c.gates {
			if p, ok := g.(gate.Preflighter); ok {
				if err := p.Preflight(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// describeGates says, for a client dry run, what each hold of plan would
// check: the built-in gate, the analyses with their queries as rendered for
// the release, the webhooks.
func (r *run) describeGates(plan strategy.Plan) error {
	return r.eachHold(plan, func(step strategy.Step, c *checker) error {
		fmt.Fprintf(r.o.Progress, "%s: every %s, gate %s (built in)", step.Reason, r.o.Gates.CheckEvery, gate.PodsGate)
		for _, g := range c.gates {
			if a, ok := g.(*gate.AnalysisGate); ok {
				fmt.Fprintf(r.o.Progress, ", gate %q (query %s)", g.Name(), a.Query())
			} else {
				fmt.Fprintf(r.o.Progress, ", gate %s", g.Name())
			}
		}
		fmt.Fprintln(r.o.Progress)
		return nil
	})
}

// eachHold calls fn with each hold of plan and its checker.
func (r *run) eachHold(plan strategy.Plan, fn func(strategy.Step, *checker) error) error {
	for _, step := range plan.Steps {
		if step.Action != strategy.Hold {
			continue
		}
		c, err := r.checker(step)
		if err == nil {
			err = fn(step, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// check runs every gate once.
func (c *checker) check(ctx context.Context) []gate.Result {
	results := []gate.Result{c.pods(ctx)}
	for _, g := range c.gates {
		results = append(results, g.Check(ctx))
	}
	return results
}

// pods judges the built-in gate: the new pods (canary, or the new color)
// and the ones serving beside them must stay healthy.
func (c *checker) pods(ctx context.Context) gate.Result {
	pods, deployments, err := c.client.Health(ctx, c.rel, c.judged)
	if err != nil {
		return gate.Result{Gate: gate.PodsGate, Verdict: gate.Inconclusive, Reason: err.Error()}
	}
	var members []gate.Member
	for _, d := range roles(c.rel, c.judged) {
		if fresh := deployments[d.name]; fresh != nil {
			members = append(members, gate.Member{Role: d.role, Deployment: fresh})
		}
	}
	if c.restarts == nil {
		c.restarts = gate.RestartCounts(pods)
	}
	return gate.PodHealth{Members: members, Pods: pods, Now: time.Now(), Grace: c.grace, Restarts: c.restarts}.Check()
}

// roles are the Deployments the built-in gate watches, the judged one
// first (its selector is the narrower), with their roles as reasons name
// them.
func roles(rel *release.Release, judged *appsv1.Deployment) []struct{ role, name string } {
	judgedRole, otherRole, other := release.RoleCanary, "stable", rel.Stable
	if rel.Green != nil {
		judgedRole, otherRole, other = string(release.Green), string(release.Blue), rel.Stable
		if judged.Name == rel.Stable.Name {
			judgedRole, otherRole, other = string(release.Blue), string(release.Green), rel.Green
		}
	}
	return []struct{ role, name string }{{judgedRole, judged.Name}, {otherRole, other.Name}}
}

func serviceName(rel *release.Release) string {
	if len(rel.Services) == 0 {
		return ""
	}
	return rel.Services[0].Name
}

// payload is what a webhook is told of the release in phase: at a hold of
// progression rec, or (rec nil) after the operation.
func payload(t Target, rel *release.Release, judged *appsv1.Deployment, phase string, rec *release.Progression) gate.Payload {
	p := gate.Payload{Release: rel.Stable.Name, Namespace: t.Namespace, Phase: phase, Images: map[string]string{}}
	if rec != nil {
		p.Step = rec.Step + 1
		p.Weight = rec.Weight()
	}
	for _, c := range judged.Spec.Template.Spec.Containers {
		p.Images[c.Name] = c.Image
	}
	return p
}
