// Package kube is the only part of kubectl-ship that talks to the API
// server: it loads releases, carries out plans step by step and waits on
// watches.
package kube

import (
	"context"
	"encoding/json"

	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	appsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	authorizationv1 "k8s.io/client-go/kubernetes/typed/authorization/v1"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	corev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	discoveryv1 "k8s.io/client-go/kubernetes/typed/discovery/v1"
	"k8s.io/client-go/rest"

	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// FieldManager is the name kubectl-ship's writes carry in managedFields, so
// GitOps tools and people can tell its changes from their own.
const FieldManager = "kubectl-ship"

// Client holds the typed clients of the four API groups ship uses, bound to
// the namespace of the current context (or -n). Not the whole clientset:
// its other fifty groups would add 9 MB to the binary.
type Client struct {
	apps          *appsv1.AppsV1Client
	authorization *authorizationv1.AuthorizationV1Client
	coordination  *coordinationv1.CoordinationV1Client
	core          *corev1.CoreV1Client
	discovery     *discoveryv1.DiscoveryV1Client
	Namespace     string
	// ServerDryRun sends every write with dryRun=All: the server validates
	// and answers, and persists nothing.
	ServerDryRun bool
}

// NewClient builds a Client from kubectl's connection flags. It makes no
// request: discovery is never needed, as ship only uses built-in types.
func NewClient(getter genericclioptions.RESTClientGetter) (*Client, error) {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	config.UserAgent = "kubectl-ship/" + shipversion.Get().GitVersion
	namespace, _, err := getter.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, err
	}
	// One HTTP client, so the three groups share connections.
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	c := &Client{Namespace: namespace}
	if c.apps, err = appsv1.NewForConfigAndClient(config, httpClient); err != nil {
		return nil, err
	}
	if c.core, err = corev1.NewForConfigAndClient(config, httpClient); err != nil {
		return nil, err
	}
	if c.coordination, err = coordinationv1.NewForConfigAndClient(config, httpClient); err != nil {
		return nil, err
	}
	if c.authorization, err = authorizationv1.NewForConfigAndClient(config, httpClient); err != nil {
		return nil, err
	}
	c.discovery, err = discoveryv1.NewForConfigAndClient(config, httpClient)
	return c, err
}

// AppsV1 is the client of Deployments.
func (c *Client) AppsV1() appsv1.AppsV1Interface { return c.apps }

// CoreV1 is the client of Services, pods and nodes.
func (c *Client) CoreV1() corev1.CoreV1Interface { return c.core }

// DiscoveryV1 is the client of EndpointSlices.
func (c *Client) DiscoveryV1() discoveryv1.DiscoveryV1Interface { return c.discovery }

// ServerVersion asks the API server for its version.
func (c *Client) ServerVersion(ctx context.Context) (*version.Info, error) {
	raw, err := c.core.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var info version.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		return nil, err
	}
	return &info, nil
}
