package release

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// nearby finds, for list, the Deployments that may be a stable one's canary
// or green made by hand, without weighing every Deployment of a namespace
// against every other: recognise takes, unnamed, only those of the
// conventional names or of the same application (app label), so those are
// all it needs.
type nearby struct {
	byName map[string]*appsv1.Deployment
	byApp  map[string][]*appsv1.Deployment
}

func indexNearby(deployments []appsv1.Deployment) nearby {
	n := nearby{byName: map[string]*appsv1.Deployment{}, byApp: map[string][]*appsv1.Deployment{}}
	for i := range deployments {
		d := &deployments[i]
		if _, shipMade := OwnerOf(d); shipMade {
			continue
		}
		n.byName[d.Namespace+"/"+d.Name] = d
		if key := appKey(d); key != "" {
			n.byApp[key] = append(n.byApp[key], d)
		}
	}
	return n
}

// appKey files d under its first application label, with its namespace.
func appKey(d *appsv1.Deployment) string {
	for _, k := range appKeys {
		if v, ok := d.Spec.Template.Labels[k]; ok {
			return d.Namespace + "/" + k + "=" + v
		}
	}
	return ""
}

// around returns the Deployments near d, d left out, and the Services that
// may route to d or to them. There are few of either: lists, not maps.
func (n nearby) around(d *appsv1.Deployment, routes serviceIndex) ([]appsv1.Deployment, []corev1.Service) {
	var near []appsv1.Deployment
	add := func(c *appsv1.Deployment) {
		if c == nil || c.Name == d.Name || slices.ContainsFunc(near, func(o appsv1.Deployment) bool { return o.Name == c.Name }) {
			return
		}
		near = append(near, *c)
	}
	if key := appKey(d); key != "" {
		for _, c := range n.byApp[key] {
			add(c)
		}
	}
	add(n.byName[d.Namespace+"/"+CanaryName(d.Name)])
	add(n.byName[d.Namespace+"/"+GreenName(d.Name)])
	services := routes.candidates(d)
	for i := range near {
		for _, svc := range routes.candidates(&near[i]) {
			if !slices.ContainsFunc(services, func(o corev1.Service) bool { return o.Name == svc.Name }) {
				services = append(services, svc)
			}
		}
	}
	return near, services
}
