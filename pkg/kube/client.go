// Package kube is the only part of kubectl-ship that talks to the API
// server: it loads releases, carries out plans step by step and waits on
// watches.
package kube

import (
	"context"
	"encoding/json"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"

	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// FieldManager is the name kubectl-ship's writes carry in managedFields, so
// GitOps tools and people can tell its changes from their own.
const FieldManager = "kubectl-ship"

// Scheme knows the five API groups ship reads and writes, and nothing else:
// client-go's typed clients would bring every group's apply configurations
// into the binary, about 2 MB. The first client fills it.
var Scheme = runtime.NewScheme()

var parameterCodec = runtime.NewParameterCodec(Scheme)

// codecs registers the groups in Scheme on first use, not at start-up:
// commands that make no request (--help, version --client) skip the 0.2 ms.
var codecs = sync.OnceValue(func() serializer.CodecFactory {
	utilruntime.Must(appsv1.AddToScheme(Scheme))
	utilruntime.Must(authorizationv1.AddToScheme(Scheme))
	utilruntime.Must(coordinationv1.AddToScheme(Scheme))
	utilruntime.Must(corev1.AddToScheme(Scheme))
	utilruntime.Must(discoveryv1.AddToScheme(Scheme))
	utilruntime.Must(metav1.AddMetaToScheme(Scheme))
	return serializer.NewCodecFactory(Scheme)
})

// Client holds one REST client per API group ship uses, bound to the
// namespace of the current context (or -n).
type Client struct {
	apps, authorization, coordination, core, discovery rest.Interface
	Namespace                                          string
	// ServerDryRun sends every write with dryRun=All: the server validates
	// and answers, and persists nothing.
	ServerDryRun bool
}

// NewClient builds a Client from kubectl's connection flags. It makes no
// request: discovery is never needed, as ship only uses built-in types.
func NewClient(getter *genericclioptions.ConfigFlags) (*Client, error) {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	config.UserAgent = "kubectl-ship/" + shipversion.Get().GitVersion
	namespace, _, err := getter.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, err
	}
	return newClient(config, namespace)
}

func newClient(config *rest.Config, namespace string) (*Client, error) {
	// One HTTP client, so the groups share connections.
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	c := &Client{Namespace: namespace}
	groups := []struct {
		client *rest.Interface
		path   string
		group  schema.GroupVersion
	}{
		{&c.apps, "/apis", appsv1.SchemeGroupVersion},
		{&c.authorization, "/apis", authorizationv1.SchemeGroupVersion},
		{&c.coordination, "/apis", coordinationv1.SchemeGroupVersion},
		{&c.core, "/api", corev1.SchemeGroupVersion},
		{&c.discovery, "/apis", discoveryv1.SchemeGroupVersion},
	}
	for _, g := range groups {
		groupConfig := rest.CopyConfig(config)
		groupConfig.APIPath = g.path
		groupConfig.GroupVersion = &g.group
		groupConfig.NegotiatedSerializer = rest.CodecFactoryForGeneratedClient(Scheme, codecs()).WithoutConversion()
		if *g.client, err = rest.RESTClientForConfigAndClient(groupConfig, httpClient); err != nil {
			return nil, err
		}
	}
	return c, nil
}

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
	return gentype.NewClientWithList(name, client, parameterCodec, namespace,
		func() PT { return new(T) }, func() PL { return new(L) }, gentype.PrefersProtobuf[PT]())
}

func (c *Client) deployments(namespace string) *gentype.ClientWithList[*appsv1.Deployment, *appsv1.DeploymentList] {
	return resource[appsv1.Deployment, appsv1.DeploymentList](c.apps, "deployments", namespace)
}

func (c *Client) replicaSets(namespace string) *gentype.ClientWithList[*appsv1.ReplicaSet, *appsv1.ReplicaSetList] {
	return resource[appsv1.ReplicaSet, appsv1.ReplicaSetList](c.apps, "replicasets", namespace)
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

func (c *Client) leases(namespace string) *gentype.ClientWithList[*coordinationv1.Lease, *coordinationv1.LeaseList] {
	return resource[coordinationv1.Lease, coordinationv1.LeaseList](c.coordination, "leases", namespace)
}

// metadataList asks for a list as metadata only, protobuf preferred.
const metadataList = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," +
	"application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"

// podMetadata lists the pods selector picks as metadata, without spec and
// status: what tells them apart (labels) in a fraction of the bytes to send
// and decode.
func (c *Client) podMetadata(ctx context.Context, namespace, selector string) ([]metav1.PartialObjectMetadata, error) {
	var list metav1.PartialObjectMetadataList
	err := c.core.Get().NamespaceIfScoped(namespace, namespace != "").Resource("pods").
		VersionedParams(&metav1.ListOptions{LabelSelector: selector}, parameterCodec).
		SetHeader("Accept", metadataList).Do(ctx).Into(&list)
	return list.Items, err
}

func (c *Client) selfSubjectRulesReviews() *gentype.Client[*authorizationv1.SelfSubjectRulesReview] {
	return gentype.NewClient("selfsubjectrulesreviews", c.authorization, parameterCodec, "",
		func() *authorizationv1.SelfSubjectRulesReview { return &authorizationv1.SelfSubjectRulesReview{} },
		gentype.PrefersProtobuf[*authorizationv1.SelfSubjectRulesReview]())
}

// ServerVersion asks the API server for its version.
func (c *Client) ServerVersion(ctx context.Context) (*version.Info, error) {
	raw, err := c.core.Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var info version.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		return nil, err
	}
	return &info, nil
}
