package ship

import (
	"context"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
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

// checker checks the gates of one hold: the built-in ones, from one read
// of the release (a constant four requests whatever its pods, five through
// a route), then each analysis and webhook.
type checker struct {
	client  cluster
	t       Target
	builtIn gate.BuiltIn
	// uid is the judged Deployment's, from the first check that saw it: a
	// Deployment of that name with another UID was deleted and made again.
	uid   types.UID
	gates []gate.Gate
	// payload is what the webhooks are sent, what each check saw set in it.
	payload *gate.Payload
	// where names the hold in a RemovedError.
	where string
}

// checker builds the gates a hold of step checks on the release as last
// read, its analyses' queries rendered for it: the judged Deployment's
// share of the traffic is the step's weight (none before a switch).
func (r *run) checker(step strategy.Step) (*checker, error) {
	rel := r.snap.Release
	judged, _ := step.Object.(*appsv1.Deployment)
	if judged == nil {
		return nil, fmt.Errorf("a hold judges a Deployment, not a %T", step.Object)
	}
	share := 0.0
	if step.Progression != nil {
		share = float64(step.Progression.Weight())
	}
	var services []string
	for _, svc := range rel.Services {
		services = append(services, svc.Name)
	}
	c := &checker{client: r.client, t: r.t, where: step.Reason,
		builtIn: gate.BuiltIn{Judged: judged.Name, Share: share, Services: services, Grace: r.o.Gates.Grace}}
	context := r.context
	if len(r.o.Gates.Webhooks) == 0 {
		context = nil // no webhook to tell it: the kubeconfig is not read again
	}
	c.payload = payload(r.t, r.client, context, rel, judged, string(release.ProgressionRunning), step.Progression)
	var err error
	c.gates, err = bindGates(r.client, r.t, rel, judged, r.o.Gates, step.Duration, c.payload)
	return c, err
}

// bindGates binds the analyses and webhooks of gates to judged, a
// Deployment of rel, checked over window: the analyses' queries rendered
// for it, the webhooks told *p.
func bindGates(client cluster, t Target, rel *release.Release, judged *appsv1.Deployment, gates Gates, window time.Duration, p *gate.Payload) ([]gate.Gate, error) {
	var bound []gate.Gate
	if len(gates.Analyses) > 0 {
		prom := &gate.Prometheus{URL: gates.Prometheus.BaseURL(client.Host())}
		if gates.Prometheus.Service != nil {
			prom.Client = gate.WithoutRedirects(client.HTTPClient()) // through the API server's service proxy
		} else {
			prom.Client = gate.WithoutRedirects(nil)
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

// check reads the release once and runs every gate. A judged Deployment
// deleted (or made again) since the hold began ends it with a RemovedError:
// its gates would judge what is not there.
func (c *checker) check(ctx context.Context) ([]gate.Result, error) {
	var results []gate.Result
	seen, err := c.client.Observe(ctx, c.t.Namespace, c.t.Name, c.t.Choice(), c.builtIn.Services)
	if err == nil {
		if err := c.removed(seen.Release, true); err != nil {
			return nil, err
		}
		results = c.builtIn.Check(seen, time.Now())
		c.payload.ActualWeight = c.builtIn.Actual
	} else {
		results = gate.Unknown(err)
	}
	for _, g := range c.gates {
		results = append(results, g.Check(ctx))
	}
	return results, nil
}

// starting judges the judged pods while they start (the wait before a
// hold): only what a hold would fail on, and whether they were removed.
func (c *checker) starting(ctx context.Context) (gate.Result, error) {
	seen, err := c.client.Observe(ctx, c.t.Namespace, c.t.Name, c.t.Choice(), c.builtIn.Services)
	if err != nil {
		return gate.Unknown(err)[0], nil
	}
	if err := c.removed(seen.Release, false); err != nil {
		return gate.Result{}, err
	}
	return c.builtIn.Starting(seen, time.Now()), nil
}

// removed says whether the judged Deployment is gone from rel, or was made
// again (another UID), since a check first saw it; holding, one never seen
// is gone too, as the hold follows its wait.
func (c *checker) removed(rel *release.Release, holding bool) error {
	name := c.builtIn.Judged
	d := rel.DeploymentNamed(name)
	switch {
	case d != nil && (c.uid == "" || d.UID == c.uid):
		c.uid = d.UID
		return nil
	case d == nil && c.uid == "" && !holding:
		return nil // not created yet
	}
	return &RemovedError{Deployment: name, Where: c.where, Replaced: d != nil}
}

// RemovedError ends a hold whose Deployment under test someone else
// deleted, or deleted and made again: the operation is undone as a failed
// gate undoes it (abort, switch back), and nothing is made again.
type RemovedError struct {
	Deployment, Where string
	Replaced          bool
}

func (e *RemovedError) Error() string {
	what := "deleted"
	if e.Replaced {
		what = "deleted and made again"
	}
	return fmt.Sprintf("deployment %s was %s during %s, not by this command", e.Deployment, what, e.Where)
}

func serviceName(rel *release.Release) string {
	if len(rel.Services) == 0 {
		return ""
	}
	return rel.Services[0].Name
}

// payload is what a webhook is told of the release in phase, in the
// cluster of client (its kubeconfig context t's, else context's, when not
// nil): at a hold of
// progression rec, the step's weight; or (rec nil) after the operation, the
// weight the canary was given, else all of the traffic.
func payload(t Target, client cluster, context func() string, rel *release.Release, judged *appsv1.Deployment, phase string, rec *release.Progression) *gate.Payload {
	p := &gate.Payload{Server: client.Host(), Release: rel.Stable.Name, Namespace: t.Namespace, Phase: phase, Images: map[string]string{}}
	if p.Context = t.Context; p.Context == "" && context != nil {
		p.Context = context()
	}
	switch {
	case rec != nil:
		p.Step = rec.Step + 1
		p.Weight = rec.Weight()
	case judged == rel.Canary:
		if w, err := strconv.ParseInt(judged.Annotations[release.AnnotationWeight], 10, 32); err == nil {
			p.Weight = int32(w)
		}
	default:
		p.Weight = 100
	}
	for _, c := range judged.Spec.Template.Spec.Containers {
		p.Images[c.Name] = c.Image
	}
	return p
}
