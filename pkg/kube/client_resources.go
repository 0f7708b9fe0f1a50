package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"
)

// object is what gentype asks of a typed object: a kind and object metadata.
type object[T any] interface {
	*T
	runtime.Object
	metav1.Object
}

// resource is a typed client of one resource, like client-go's generated
// ones but without apply configurations.
func resource[T, L any, PT object[T], PL interface {
	*L
	runtime.Object
}](client rest.Interface, name, namespace string) *gentype.ClientWithList[PT, PL] {
	return gentype.NewClientWithList(name, client, parameterCodec(), namespace,
		func() PT { return new(T) }, func() PL { return new(L) }, gentype.PrefersProtobuf[PT]())
}

func (c *Client) deployments(namespace string) *gentype.ClientWithList[*appsv1.Deployment, *appsv1.DeploymentList] {
	return resource[appsv1.Deployment, appsv1.DeploymentList](c.apps, "deployments", namespace)
}

func (c *Client) controllerRevisions(namespace string) *gentype.ClientWithList[*appsv1.ControllerRevision, *appsv1.ControllerRevisionList] {
	return resource[appsv1.ControllerRevision, appsv1.ControllerRevisionList](c.apps, "controllerrevisions", namespace)
}

func (c *Client) statefulSets(namespace string) *gentype.ClientWithList[*appsv1.StatefulSet, *appsv1.StatefulSetList] {
	return resource[appsv1.StatefulSet, appsv1.StatefulSetList](c.apps, "statefulsets", namespace)
}

func (c *Client) daemonSets(namespace string) *gentype.ClientWithList[*appsv1.DaemonSet, *appsv1.DaemonSetList] {
	return resource[appsv1.DaemonSet, appsv1.DaemonSetList](c.apps, "daemonsets", namespace)
}

func (c *Client) replicaSets(namespace string) *gentype.ClientWithList[*appsv1.ReplicaSet, *appsv1.ReplicaSetList] {
	return resource[appsv1.ReplicaSet, appsv1.ReplicaSetList](c.apps, "replicasets", namespace)
}

func (c *Client) autoscalers(namespace string) *gentype.ClientWithList[*autoscalingv2.HorizontalPodAutoscaler, *autoscalingv2.HorizontalPodAutoscalerList] {
	return resource[autoscalingv2.HorizontalPodAutoscaler, autoscalingv2.HorizontalPodAutoscalerList](c.autoscaling, "horizontalpodautoscalers", namespace)
}

func (c *Client) services(namespace string) *gentype.ClientWithList[*corev1.Service, *corev1.ServiceList] {
	return resource[corev1.Service, corev1.ServiceList](c.core, "services", namespace)
}

func (c *Client) pods(namespace string) *gentype.ClientWithList[*corev1.Pod, *corev1.PodList] {
	return resource[corev1.Pod, corev1.PodList](c.core, "pods", namespace)
}

func (c *Client) nodes() *gentype.ClientWithList[*corev1.Node, *corev1.NodeList] {
	return resource[corev1.Node, corev1.NodeList](c.core, "nodes", "")
}

func (c *Client) events(namespace string) *gentype.ClientWithList[*corev1.Event, *corev1.EventList] {
	return resource[corev1.Event, corev1.EventList](c.core, "events", namespace)
}

func (c *Client) endpointSlices(namespace string) *gentype.ClientWithList[*discoveryv1.EndpointSlice, *discoveryv1.EndpointSliceList] {
	return resource[discoveryv1.EndpointSlice, discoveryv1.EndpointSliceList](c.discovery, "endpointslices", namespace)
}

func (c *Client) ingresses(namespace string) *gentype.ClientWithList[*networkingv1.Ingress, *networkingv1.IngressList] {
	return resource[networkingv1.Ingress, networkingv1.IngressList](c.networking, "ingresses", namespace)
}

func (c *Client) leases(namespace string) *gentype.ClientWithList[*coordinationv1.Lease, *coordinationv1.LeaseList] {
	return resource[coordinationv1.Lease, coordinationv1.LeaseList](c.coordination, "leases", namespace)
}
