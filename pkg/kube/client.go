// Package kube is the only part of kubectl-ship that talks to the API
// server: it loads releases, carries out plans step by step and waits on
// watches.
package kube

import (
	"context"
	"encoding/json"

	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// FieldManager is the name kubectl-ship's writes carry in managedFields, so
// GitOps tools and people can tell its changes from their own.
const FieldManager = "kubectl-ship"

// Client is a typed clientset bound to the namespace of the current context
// (or -n).
type Client struct {
	kubernetes.Interface
	Namespace string
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
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return &Client{Interface: clientset, Namespace: namespace}, nil
}

// ServerVersion asks the API server for its version.
func (c *Client) ServerVersion(ctx context.Context) (*version.Info, error) {
	raw, err := c.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var info version.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		return nil, err
	}
	return &info, nil
}
