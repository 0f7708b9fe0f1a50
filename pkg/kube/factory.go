package kube

import (
	"fmt"
	"io"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// Factory builds one Client per kubeconfig context and keeps it, so one
// process can act on several clusters. It is built from kubectl's connection
// flags (--kubeconfig, --context, --as, -n, ...), which apply to every
// context: a context named by a target replaces --context alone.
type Factory struct {
	flags    *genericclioptions.ConfigFlags
	warnings io.Writer

	mu      sync.Mutex
	clients map[string]*Client
}

// NewFactory returns a Factory over the connection flags. The API server's
// warnings go to warnings, as kubectl prints them ("Warning: ...").
func NewFactory(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Factory {
	return &Factory{flags: flags, warnings: warnings, clients: map[string]*Client{}}
}

// Client returns the client of a kubeconfig context; "" is the current one
// (or --context).
func (f *Factory) Client(context string) (*Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[context]; ok {
		return c, nil
	}
	flags := f.flagsFor(context)
	config, err := flags.ToRESTConfig()
	if err != nil {
		return nil, contextError(context, err)
	}
	config.WarningHandler = rest.NewWarningWriter(f.warnings, rest.WarningWriterOptions{Deduplicate: true})
	namespace, _, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, contextError(context, err)
	}
	c, err := newClient(config, namespace)
	if err != nil {
		return nil, contextError(context, err)
	}
	f.clients[context] = c
	return c, nil
}

func contextError(context string, err error) error {
	if context == "" {
		return err
	}
	return fmt.Errorf("context %s: %w", context, err)
}

// flagsFor is the connection flags with the context replaced: the same
// kubeconfig, impersonation and credentials flags, in another cluster.
func (f *Factory) flagsFor(context string) *genericclioptions.ConfigFlags {
	if context == "" {
		return f.flags
	}
	o := f.flags
	c := genericclioptions.NewConfigFlags(false)
	c.CacheDir, c.KubeConfig, c.ClusterName, c.AuthInfoName = o.CacheDir, o.KubeConfig, o.ClusterName, o.AuthInfoName
	c.Namespace, c.APIServer, c.TLSServerName, c.Insecure = o.Namespace, o.APIServer, o.TLSServerName, o.Insecure
	c.CertFile, c.KeyFile, c.CAFile, c.BearerToken = o.CertFile, o.KeyFile, o.CAFile, o.BearerToken
	c.Impersonate, c.ImpersonateUID, c.ImpersonateGroup, c.ImpersonateUserExtra = o.Impersonate, o.ImpersonateUID, o.ImpersonateGroup, o.ImpersonateUserExtra
	c.Username, c.Password, c.Timeout, c.DisableCompression, c.ProxyURL = o.Username, o.Password, o.Timeout, o.DisableCompression, o.ProxyURL
	c.WrapConfigFn = o.WrapConfigFn
	c.Context = &context
	return c
}

// Contexts lists the contexts of the kubeconfig, and the current one.
func (f *Factory) Contexts() (names []string, current string, err error) {
	raw, err := f.flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, "", err
	}
	for name := range raw.Contexts {
		names = append(names, name)
	}
	current = raw.CurrentContext
	if f.flags.Context != nil && *f.flags.Context != "" {
		current = *f.flags.Context
	}
	return names, current, nil
}
