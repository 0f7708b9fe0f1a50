package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Choice is what the user named of a release's objects, for when the layout
// alone does not tell.
type Choice struct {
	// Service is the Service that routes to the release (--service).
	Service string
	// Canary and Green name a Deployment made by hand as the release's
	// canary (--canary) or green (--green).
	Canary, Green string
}

// recognise finds the release's Services and, when kubectl-ship has no
// canary or green in it, the one made by hand: a green first (its Services
// may route to it alone), then a canary among what the Services route to.
func (r *Release) recognise(services []corev1.Service, choice Choice) error {
	if r.Canary != nil || r.Green != nil {
		var err error
		r.Services, err = routingServices(r, services)
		if err == nil {
			err = r.agrees(choice)
		}
		return err
	}
	var err error
	if choice.Canary == "" {
		err = r.findGreen(services, choice.Green)
	}
	var routeErr error
	r.Services, routeErr = routingServices(r, services)
	switch {
	case err != nil:
		return err
	case routeErr != nil:
		return routeErr
	case r.Green == nil && choice.Green == "":
		return r.findCanary(choice.Canary)
	}
	return nil
}

// agrees checks that --canary or --green, with a canary or green of
// kubectl-ship's in the release, names it.
func (r *Release) agrees(choice Choice) error {
	member, role := r.Canary, RoleCanary
	if member == nil {
		member, role = r.Green, RoleGreen
	}
	for _, c := range []struct{ role, name string }{{RoleCanary, choice.Canary}, {RoleGreen, choice.Green}} {
		if c.name != "" && (c.role != role || c.name != member.Name) {
			return fmt.Errorf("--%s %s: release %s already has a %s of kubectl-ship's, deployment %s", c.role, c.name, r.Stable.Name, role, member.Name)
		}
	}
	return nil
}

// findGreen takes as green a Deployment whose pods differ from the stable
// pods in one label only, which a Service switches on (version: 1.0.0 or
// 2.0.0); name is the one --green named, if any. Unnamed, it must be
// NAME-green, or be of the same application and differ in a version or
// color label: two applications' pods may well differ in app alone.
func (r *Release) findGreen(services []corev1.Service, name string) error {
	var candidates []*appsv1.Deployment
	for _, d := range r.sortedOthers() {
		conventional := d.Name == GreenName(r.Stable.Name)
		if name != "" && d.Name != name || name == "" && !conventional && !r.sameApp(d) {
			continue // by name alone, before the Services are weighed
		}
		if key := switched(r, services, d); key != "" && (name != "" || conventional || colorKeys[key]) {
			candidates = append(candidates, d)
		}
	}
	if name != "" {
		if len(candidates) == 0 {
			return r.notGreen(name)
		}
		r.take(&r.Green, candidates[0])
		return nil
	}
	d, err := r.choose(candidates, RoleGreen, "their pods differ from its pods only in the label its services switch on")
	if d != nil {
		r.take(&r.Green, d)
	}
	return err
}

// findCanary takes as canary a Deployment whose pods every Service of the
// release selects; name is the one --canary named, if any. Unnamed, it
// must be NAME-canary or of the same application: a Service may route to
// several applications (tier: web).
func (r *Release) findCanary(name string) error {
	var candidates []*appsv1.Deployment
	for _, d := range r.sortedOthers() {
		if r.routesTo(d) && (d.Name == name || name == "" && (d.Name == CanaryName(r.Stable.Name) || r.sameApp(d))) {
			candidates = append(candidates, d)
		}
	}
	if name != "" {
		if len(candidates) == 0 {
			return r.notCanary(name)
		}
		r.take(&r.Canary, candidates[0])
		return nil
	}
	d, err := r.choose(candidates, RoleCanary, "its services select their pods")
	if d != nil {
		r.take(&r.Canary, d)
	}
	return err
}

// choose picks one of the candidates for role: the only one, or the one of
// the conventional name (NAME-canary, NAME-green). A candidate that is
// rather the stable Deployment of a release of its own, of which the
// stable one is the member (asked for ctwoc-canary beside ctwoc), makes the
// release no release.
func (r *Release) choose(candidates []*appsv1.Deployment, role, why string) (*appsv1.Deployment, error) {
	for _, d := range candidates {
		if moreStable(d, r.Stable) {
			r.memberOf = d.Name
			return nil, NotRelease("deployment %s looks like the %s of release %s, made by hand: name the release, %s", r.Stable.Name, role, d.Name, d.Name)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, nil
	case 1:
		return candidates[0], nil
	}
	conventional := CanaryName(r.Stable.Name)
	if role == RoleGreen {
		conventional = GreenName(r.Stable.Name)
	}
	names := make([]string, len(candidates))
	for i, d := range candidates {
		if d.Name == conventional {
			return d, nil
		}
		names[i] = d.Name
	}
	return nil, &AmbiguousError{fmt.Sprintf("deployments %s could each be the %s of release %s (%s): name one with --%s, as in 'kubectl ship adopt %s --%s %s'",
		strings.Join(names, ", "), role, r.Stable.Name, why, role, r.Stable.Name, role, names[0])}
}

// take makes d the release's canary or green (*member), made by hand.
func (r *Release) take(member **appsv1.Deployment, d *appsv1.Deployment) {
	*member, r.handMade = d, d
	delete(r.otherDeployments, d.Name)
}

// sortedOthers are the Deployments beside the stable one that kubectl-ship
// did not make for any release, by name: the candidates.
func (r *Release) sortedOthers() []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, d := range r.otherDeployments {
		if _, shipMade := OwnerOf(d); !shipMade {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// routesTo says whether every Service of the release selects d's pods.
func (r *Release) routesTo(d *appsv1.Deployment) bool {
	pods := []labels.Set{labels.Set(d.Spec.Template.Labels)}
	for _, svc := range r.Services {
		if !selectsAny(svc, pods) {
			return false
		}
	}
	return len(r.Services) > 0
}

// moreStable says whether a, rather than b, is the stable Deployment of two
// that each look like the other's canary or green: the one whose name the
// other's extends (ctwoc beside ctwoc-canary), else the older, else the
// larger (a canary has fewer pods), else the first by name.
func moreStable(a, b *appsv1.Deployment) bool {
	switch {
	case strings.HasPrefix(b.Name, a.Name+"-"):
		return true
	case strings.HasPrefix(a.Name, b.Name+"-"):
		return false
	case !a.CreationTimestamp.Equal(&b.CreationTimestamp):
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	case Replicas(a) != Replicas(b):
		return Replicas(a) > Replicas(b)
	}
	return a.Name < b.Name
}
