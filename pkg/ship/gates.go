package ship

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"

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
