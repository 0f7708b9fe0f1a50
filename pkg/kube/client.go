// Package kube is the only part of kubectl-ship that talks to the API
// server: it loads releases, writes the objects of a plan's steps, waits on
// watches, and keeps each release's lock and record in a Lease.
package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"

	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// fieldManager is the name kubectl-ship's writes carry in managedFields, so
// GitOps tools and people can tell its changes from their own.
const fieldManager = "kubectl-ship"

// scheme knows the API groups ship reads and writes as typed objects, and
// nothing else: client-go's typed clients would bring every group's apply
// configurations into the binary, about 2 MB. It is filled on first use, not
// at start-up: commands that make no request (--help, version --client)
// skip the 0.2 ms.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(appsv1.AddToScheme(s))
	utilruntime.Must(authenticationv1.AddToScheme(s))
	utilruntime.Must(authorizationv1.AddToScheme(s))
	utilruntime.Must(autoscalingv2.AddToScheme(s))
	utilruntime.Must(coordinationv1.AddToScheme(s))
	utilruntime.Must(corev1.AddToScheme(s))
	utilruntime.Must(discoveryv1.AddToScheme(s))
	utilruntime.Must(networkingv1.AddToScheme(s))
	utilruntime.Must(metav1.AddMetaToScheme(s))
	return s
})

var codecs = sync.OnceValue(func() serializer.CodecFactory { return serializer.NewCodecFactory(scheme()) })

var parameterCodec = sync.OnceValue(func() runtime.ParameterCodec { return runtime.NewParameterCodec(scheme()) })

// Client talks to one cluster: one REST client per API group ship uses, and
// the namespace of its kubeconfig context (or -n), for targets that name
// none.
type Client struct {
	apps, authentication, authorization, autoscaling, coordination, core, discovery, networking rest.Interface
	Namespace                                                                                   string

	config     *rest.Config
	httpClient *http.Client
	names      func() (context, cluster string)
}

// newClient builds a Client from a REST config. It makes no request:
// discovery is never needed, as ship knows the resources it uses.
func newClient(config *rest.Config, namespace string) (*Client, error) {
	config = rest.CopyConfig(config)
	config.UserAgent = "kubectl-ship/" + shipversion.Get().GitVersion
	// One HTTP client, so the groups share connections.
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	c := &Client{Namespace: namespace, config: config, httpClient: httpClient}
	groups := []struct {
		client *rest.Interface
		group  schema.GroupVersion
	}{
		{&c.apps, appsv1.SchemeGroupVersion},
		{&c.authentication, authenticationv1.SchemeGroupVersion},
		{&c.authorization, authorizationv1.SchemeGroupVersion},
		{&c.autoscaling, autoscalingv2.SchemeGroupVersion},
		{&c.coordination, coordinationv1.SchemeGroupVersion},
		{&c.core, corev1.SchemeGroupVersion},
		{&c.discovery, discoveryv1.SchemeGroupVersion},
		{&c.networking, networkingv1.SchemeGroupVersion},
	}
	for _, g := range groups {
		if *g.client, err = c.restClient(g.group); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// restClient is a REST client of one group version, sharing the Client's
// connections; it decodes the typed objects of the scheme.
func (c *Client) restClient(gv schema.GroupVersion) (rest.Interface, error) {
	config := rest.CopyConfig(c.config)
	config.APIPath = "/apis"
	if gv.Group == "" {
		config.APIPath = "/api"
	}
	config.GroupVersion = &gv
	config.NegotiatedSerializer = rest.CodecFactoryForGeneratedClient(scheme(), codecs()).WithoutConversion()
	return rest.RESTClientForConfigAndClient(config, c.httpClient)
}

// metadataList asks for a list as metadata only, protobuf preferred.
const metadataList = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," +
	"application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"

// metadataWatch asks for a watch whose objects are metadata only.
const metadataWatch = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1," +
	"application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"

// podMetadata lists the pods selector picks as metadata, without spec and
// status: what tells them apart (labels) in a fraction of the bytes to send
// and decode.
func (c *Client) podMetadata(ctx context.Context, namespace, selector string) ([]metav1.PartialObjectMetadata, error) {
	list, err := c.podMetadataList(ctx, namespace, metav1.ListOptions{LabelSelector: selector})
	return list.Items, err
}

func (c *Client) podMetadataList(ctx context.Context, namespace string, opts metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
	var list metav1.PartialObjectMetadataList
	err := c.core.Get().NamespaceIfScoped(namespace, namespace != "").Resource("pods").
		VersionedParams(&opts, parameterCodec()).
		SetHeader("Accept", metadataList).Do(ctx).Into(&list)
	return &list, err
}

// watchPodMetadata watches the pods as metadata, as podMetadata lists them.
func (c *Client) watchPodMetadata(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return c.core.Get().NamespaceIfScoped(namespace, namespace != "").Resource("pods").
		VersionedParams(&opts, parameterCodec()).
		SetHeader("Accept", metadataWatch).Watch(ctx)
}

func (c *Client) selfSubjectRulesReviews() *gentype.Client[*authorizationv1.SelfSubjectRulesReview] {
	return gentype.NewClient("selfsubjectrulesreviews", c.authorization, parameterCodec(), "",
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

// Names are the kubeconfig's names of the client's context and cluster;
// the cluster is the API server's URL when the kubeconfig has no name for it.
func (c *Client) Names() (context, cluster string) {
	if c.names != nil {
		context, cluster = c.names()
	}
	if cluster == "" {
		cluster = c.Host()
	}
	return context, cluster
}

// Host is the API server's URL, as the kubeconfig gives it.
func (c *Client) Host() string { return c.config.Host }

// HTTPClient sends requests to the API server with the user's credentials:
// for what ship reaches through its service proxy (Prometheus).
func (c *Client) HTTPClient() *http.Client { return c.httpClient }
