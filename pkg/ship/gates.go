package ship

import (
	"context"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
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
// of what they judge (a constant four requests whatever the pods, five
// through a route; two for a StatefulSet, three through a route, or a
// DaemonSet), then each
// analysis and webhook.
type checker struct {
	builtIn builtIn
	gates   []gate.Gate
	// payload is what the webhooks are sent, what each check saw set in it.
	payload *gate.Payload
	// where names the hold in a RemovedError.
	where string
}

// checker builds the gates a hold of step checks on the release as last
// read, its analyses' queries rendered for it: the judged role's share of
// the traffic is the step's weight (none before a switch).
func (r *run) checker(step plans.Step) (*checker, error) {
	share := 0.0
	if step.Progression != nil {
		share = float64(step.Progression.Weight())
	}
	var subj subject
	c := &checker{where: step.Reason}
	switch judged := step.Object.(type) {
	case *appsv1.Deployment:
		rel := r.snap.Release
		var services []string
		for _, svc := range rel.Services {
			services = append(services, svc.Name)
		}
		subj = deploymentSubject(rel, judged)
		c.builtIn = &deploymentGates{client: r.client, t: r.t,
			gates: gate.BuiltIn{Judged: judged.Name, Share: share, Services: services, Grace: r.o.Gates.Grace}}
	case *appsv1.StatefulSet:
		subj = serviceless(judged.Name, &judged.Spec.Template.Spec)
		stateful := &statefulGates{client: r.client, t: r.t, gates: gate.StatefulBuiltIn{Share: share, Grace: r.o.Gates.Grace}}
		if ref, routed := r.routeRecord.Ref(); routed && ref.Kind == release.KindHTTPRoute {
			ref = ref.Relative(r.t.Namespace)
			stateful.route = &ref
		}
		c.builtIn = stateful
	case *appsv1.DaemonSet:
		subj = serviceless(judged.Name, &judged.Spec.Template.Spec)
		c.builtIn = &daemonGates{client: r.client, t: r.t, gates: gate.DaemonBuiltIn{Grace: r.o.Gates.Grace}}
	default:
		return nil, fmt.Errorf("a hold judges a Deployment, a StatefulSet or a DaemonSet, not a %T", step.Object)
	}
	context := r.context
	if len(r.o.Gates.Webhooks) == 0 {
		context = nil // no webhook to tell it: the kubeconfig is not read again
	}
	c.payload = payload(r.t, r.client, context, subj, string(release.ProgressionRunning), step.Progression)
	var err error
	c.gates, err = bindGates(r.client, r.t, subj, r.o.Gates, step.Duration, c.payload)
	return c, err
}

// subject is what a hold's analyses and webhooks judge, as they name it.
type subject struct {
	release, judged, service string
	spec                     *corev1.PodSpec
	// weight is the judged role's share of the traffic outside a
	// progression, in percent.
	weight int32
}

// deploymentSubject is judged, a Deployment of rel: the weight the canary
// was given, else all of the traffic.
func deploymentSubject(rel *release.Release, judged *appsv1.Deployment) subject {
	s := subject{release: rel.Stable.Name, judged: judged.Name, service: serviceName(rel), spec: &judged.Spec.Template.Spec, weight: 100}
	if judged == rel.Canary {
		s.weight = 0
		if w, err := strconv.ParseInt(judged.Annotations[release.AnnotationWeight], 10, 32); err == nil {
			s.weight = int32(w)
		}
	}
	return s
}

// serviceless is the canary of a StatefulSet or a DaemonSet, name: its
// new revision, with no Service of the release's own.
func serviceless(name string, spec *corev1.PodSpec) subject {
	return subject{release: name, judged: name, spec: spec}
}

// bindGates binds the analyses and webhooks of gates to subj, checked over
// window: the analyses' queries rendered for it, the webhooks told *p.
func bindGates(client cluster, t Target, subj subject, gates Gates, window time.Duration, p *gate.Payload) ([]gate.Gate, error) {
	var bound []gate.Gate
	if len(gates.Analyses) > 0 {
		prom := &gate.Prometheus{URL: gates.Prometheus.BaseURL(client.Host())}
		if gates.Prometheus.Service != nil {
			prom.Client = gate.WithoutRedirects(client.HTTPClient()) // through the API server's service proxy
		} else {
			prom.Client = gate.WithoutRedirects(nil)
		}
		vars := gate.Vars{Name: subj.release, Namespace: t.Namespace, Stable: subj.release,
			Canary: subj.judged, Service: subj.service, Interval: gate.PromDuration(window)}
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
func (r *run) preflight(ctx context.Context, plan plans.Plan) error {
	return r.eachHold(plan, func(_ plans.Step, c *checker) error {
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
func (r *run) describeGates(plan plans.Plan) error {
	return r.eachHold(plan, func(step plans.Step, c *checker) error {
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
func (r *run) eachHold(plan plans.Plan, fn func(plans.Step, *checker) error) error {
	for _, step := range plan.Steps {
		if step.Action != plans.Hold {
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

// check runs the built-in gates, from one read, then every other gate.
// What they judge deleted (or made again) since the hold began ends it
// with a RemovedError: its gates would judge what is not there.
func (c *checker) check(ctx context.Context) ([]gate.Result, error) {
	results, actual, err := c.builtIn.check(ctx, true, c.where)
	if err != nil {
		return nil, err
	}
	c.payload.ActualWeight = actual
	for _, g := range c.gates {
		results = append(results, g.Check(ctx))
	}
	return results, nil
}

// starting judges the judged pods while they start (the wait before a
// hold): only what a hold would fail on, and whether they were removed.
func (c *checker) starting(ctx context.Context) (gate.Result, error) {
	results, _, err := c.builtIn.check(ctx, false, c.where)
	if err != nil {
		return gate.Result{}, err
	}
	return results[0], nil
}

// RemovedError ends a hold whose workload under test someone else
// deleted, or deleted and made again: the operation is undone as a failed
// gate undoes it (abort, switch back), and nothing is made again.
type RemovedError struct {
	// Kind is "statefulset" or "daemonset", or empty for a Deployment;
	// Name its name.
	Kind, Name, Where string
	Replaced          bool
}

func (e *RemovedError) Error() string {
	what, kind := "deleted", e.Kind
	if e.Replaced {
		what = "deleted and made again"
	}
	if kind == "" {
		kind = "deployment"
	}
	return fmt.Sprintf("%s %s was %s during %s, not by this command", kind, e.Name, what, e.Where)
}

func serviceName(rel *release.Release) string {
	if len(rel.Services) == 0 {
		return ""
	}
	return rel.Services[0].Name
}

// payload is what a webhook is told of subj in phase, in the cluster of
// client (its kubeconfig context t's, else context's, when not nil): at a
// hold of progression rec, the step's weight; or (rec nil) subj's own.
func payload(t Target, client cluster, context func() string, subj subject, phase string, rec *release.Progression) *gate.Payload {
	p := &gate.Payload{Server: client.Host(), Release: subj.release, Namespace: t.Namespace, Phase: phase, Images: map[string]string{}, Weight: subj.weight}
	if p.Context = t.Context; p.Context == "" && context != nil {
		p.Context = context()
	}
	if rec != nil {
		p.Step = rec.Step + 1
		p.Weight = rec.Weight()
	}
	for _, c := range subj.spec.Containers {
		p.Images[c.Name] = c.Image
	}
	return p
}
