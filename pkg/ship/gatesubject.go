package ship

import (
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

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
