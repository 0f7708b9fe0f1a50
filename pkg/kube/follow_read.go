package kube

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Releases builds the releases from what is followed, as list shows them,
// with the operation holding each one's lock and its progression. The
// error is why a kind could never be listed (an unreachable cluster, RBAC);
// stale, when set, says why the releases may no longer be current.
func (f *Follower) Releases() (list *release.StatusList, stale, err error) {
	var objects [4][]runtime.Object
	for i, m := range []*mirror{f.deployments, f.services, f.slices, f.pods} {
		items, listed, mErr := m.state()
		if !listed {
			return nil, nil, mErr
		}
		if mErr != nil && stale == nil {
			stale = mErr
		}
		objects[i] = items
	}
	deployments := values[appsv1.Deployment](objects[0])
	services := values[corev1.Service](objects[1])
	slices := values[discoveryv1.EndpointSlice](objects[2])
	pods := values[metav1.PartialObjectMetadata](objects[3])
	routes := f.listedRoutes()
	list = release.SummarizeAll(deployments, services, slices, pods, labels.Everything(), routes)
	if items, listed, _ := f.statefulSets.state(); listed {
		release.AddStatefulSets(list, values[appsv1.StatefulSet](items), services, routes, labels.Everything())
	}
	if items, listed, _ := f.daemonSets.state(); listed {
		release.AddDaemonSets(list, values[appsv1.DaemonSet](items), labels.Everything())
	}
	leases := f.locks()
	for _, st := range list.Items {
		if lease := leases[st.Namespace+"/"+release.LockName(st.Name)]; lease != nil {
			applyLock(st, lease)
		}
	}
	return list, stale, nil
}

// Operations is the record of release name's operations, as its lock keeps it.
func (f *Follower) Operations(namespace, name string) []release.Operation {
	lease := f.locks()[namespace+"/"+release.LockName(name)]
	if lease == nil {
		return nil
	}
	return release.ParseOperations(lease.Annotations[release.AnnotationHistory])
}

// PodSelector picks the pods of the Deployments named: the labels their
// pod templates share (app=web of web's track=stable and web-canary's
// track=canary). It picks nothing when none of them is known.
func (f *Follower) PodSelector(namespace string, deployments []string) labels.Selector {
	items, _, _ := f.deployments.state()
	var shared labels.Set
	for _, obj := range items {
		d := obj.(*appsv1.Deployment)
		if d.Namespace != namespace || !slices.Contains(deployments, d.Name) {
			continue
		}
		if shared == nil {
			shared = labels.Set{}
			for k, v := range d.Spec.Template.Labels {
				shared[k] = v
			}
			continue
		}
		for k, v := range shared {
			if d.Spec.Template.Labels[k] != v {
				delete(shared, k)
			}
		}
	}
	if len(shared) == 0 {
		return labels.Nothing()
	}
	return labels.SelectorFromSet(shared)
}

func (f *Follower) locks() map[string]*coordinationv1.Lease {
	items, _, _ := f.leases.state()
	out := make(map[string]*coordinationv1.Lease, len(items))
	for _, obj := range items {
		out[key(obj)] = obj.(*coordinationv1.Lease)
	}
	return out
}

func (f *Follower) listedRoutes() *release.ListedRoutes {
	f.mu.Lock()
	defer f.mu.Unlock()
	routes := &release.ListedRoutes{}
	if m := f.routes[release.KindIngress]; m != nil {
		items, _, _ := m.state()
		routes.Ingresses = values[networkingv1.Ingress](items)
	}
	if m := f.routes[release.KindHTTPRoute]; m != nil {
		items, _, _ := m.state()
		for _, obj := range items {
			u := obj.(*unstructured.Unstructured).DeepCopy()
			u.SetGroupVersionKind(httpRouteVersion.WithKind(release.KindHTTPRoute))
			if route, err := release.NewHTTPRoute(u); err == nil {
				routes.HTTPRoutes = append(routes.HTTPRoutes, route)
			}
		}
	}
	return routes
}

// values copies the objects, all of type *T, into a slice of T, as the
// read model takes them.
func values[T any](objects []runtime.Object) []T {
	out := make([]T, len(objects))
	for i, obj := range objects {
		out[i] = *any(obj).(*T)
	}
	return out
}
