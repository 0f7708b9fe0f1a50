package release

import (
	"errors"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// StatusList is what `list -o json|yaml` prints.
type StatusList struct {
	metav1.TypeMeta `json:",inline"`
	Items           []*Status `json:"items"`
}

// DeepCopyObject makes StatusList printable by cli-runtime's printers.
func (l *StatusList) DeepCopyObject() runtime.Object {
	out := &StatusList{TypeMeta: l.TypeMeta}
	for _, st := range l.Items {
		out.Items = append(out.Items, st.DeepCopyObject().(*Status))
	}
	return out
}

// SummarizeAll groups listed objects, of one namespace or many, into
// releases: every Deployment ship did not create and that selector matches,
// with the Deployments ship created for it, or the canary or green made by
// hand beside it (which is no release of its own), and the routes (nil for
// none) it runs through. A release no Service routes to is listed too, with
// no Services. Sorted by namespace and name.
func SummarizeAll(deployments []appsv1.Deployment, services []corev1.Service, slices []discoveryv1.EndpointSlice,
	pods []metav1.PartialObjectMetadata, selector labels.Selector, routes *ListedRoutes) *StatusList {
	owned, ownedServices := shipCreated(deployments, services)
	index := indexServices(services)
	near := indexNearby(deployments)
	slicesIn := map[string][]discoveryv1.EndpointSlice{}
	for _, s := range slices {
		slicesIn[s.Namespace] = append(slicesIn[s.Namespace], s)
	}
	podsIn := map[string][]metav1.PartialObjectMetadata{}
	for _, p := range pods {
		podsIn[p.Namespace] = append(podsIn[p.Namespace], p)
	}
	endpoints := map[string]*Endpoints{}

	list := &StatusList{TypeMeta: metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseStatusList"}, Items: []*Status{}}
	for i := range deployments {
		d := &deployments[i]
		if _, shipCreated := OwnerOf(d); shipCreated || !selector.Matches(labels.Set(d.Labels)) {
			continue
		}
		others, candidates := near.around(d, index)
		k := releaseKey{d.Namespace, d.Name}
		rel, err := New(d, append(others, owned[k]...), append(candidates, ownedServices[k]...), "")
		if rel.memberOf != "" {
			continue // a canary or green made by hand, listed with its release
		}
		routes.setOn(rel)
		ep := endpoints[d.Namespace]
		if ep == nil {
			ep = NewEndpoints(slicesIn[d.Namespace], podsIn[d.Namespace])
			endpoints[d.Namespace] = ep
		}
		st := Summarize(rel, ep)
		st.CreationTimestamp = d.CreationTimestamp
		var ambiguous *AmbiguousError
		if errors.As(err, &ambiguous) {
			st.Phase, st.Warnings = PhaseAmbiguous, append(st.Warnings, err.Error())
		}
		list.Items = append(list.Items, st)
	}
	sort.Slice(list.Items, func(i, j int) bool {
		a, b := list.Items[i], list.Items[j]
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
	return list
}

// releaseKey names a release: its namespace and its Deployment's name.
type releaseKey struct{ namespace, name string }

// shipCreated files the Deployments and Services ship created under the
// release each is for. ship's Services for a route select one track, maybe
// not by a label pair of the stable pods: they go with their release.
func shipCreated(deployments []appsv1.Deployment, services []corev1.Service) (map[releaseKey][]appsv1.Deployment, map[releaseKey][]corev1.Service) {
	owned := map[releaseKey][]appsv1.Deployment{}
	for i := range deployments {
		if name, ok := OwnerOf(&deployments[i]); ok {
			k := releaseKey{deployments[i].Namespace, name}
			owned[k] = append(owned[k], deployments[i])
		}
	}
	ownedServices := map[releaseKey][]corev1.Service{}
	for _, svc := range services {
		if name, ok := OwnerOf(&svc); ok {
			k := releaseKey{svc.Namespace, name}
			ownedServices[k] = append(ownedServices[k], svc)
		}
	}
	return owned, ownedServices
}

// serviceIndex finds the Services that may route to a Deployment without
// matching every Service against every Deployment: each Service is filed
// under one label pair of its selector, which the pods must carry.
type serviceIndex map[string][]corev1.Service

func indexServices(services []corev1.Service) serviceIndex {
	index := serviceIndex{}
	for _, svc := range services {
		for k, v := range svc.Spec.Selector {
			key := svc.Namespace + "/" + k + "=" + v
			index[key] = append(index[key], svc)
			break // one pair is enough: the pods need them all
		}
	}
	return index
}

// candidates are the Services filed under a label pair of d's pods and of
// d's namespace; New then matches their whole selectors.
func (index serviceIndex) candidates(d *appsv1.Deployment) []corev1.Service {
	var out []corev1.Service
	for k, v := range d.Spec.Template.Labels {
		out = append(out, index[d.Namespace+"/"+k+"="+v]...)
	}
	return out
}
