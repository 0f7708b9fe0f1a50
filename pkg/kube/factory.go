package kube

import (
	"fmt"
	"io"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Factory builds one Client per kubeconfig context and keeps it, so one
// process can act on several clusters. It is built from kubectl's connection
// flags (--kubeconfig, --context, --as, -n, ...), which apply to every
// context: a context named by a target replaces --context alone.
type Factory struct {
	flags    *genericclioptions.ConfigFlags
	warnings io.Writer
	// raw is the kubeconfig, loaded once for all the contexts a fleet
	// names: parsing it again for each of 50 contexts would cost more than
	// reading their clusters.
	raw func() (clientcmdapi.Config, error)

	mu      sync.Mutex
	clients map[string]*Client
}

// NewFactory returns a Factory over the connection flags. The API server's
// warnings go to warnings, as kubectl prints them ("Warning: ...").
func NewFactory(flags *genericclioptions.ConfigFlags, warnings io.Writer) *Factory {
	f := &Factory{flags: flags, warnings: warnings, clients: map[string]*Client{}}
	f.raw = sync.OnceValues(func() (clientcmdapi.Config, error) { return flags.ToRawKubeConfigLoader().RawConfig() })
	return f
}

// Client returns the client of a kubeconfig context; "" is the current one
// (or --context).
func (f *Factory) Client(context string) (*Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[context]; ok {
		return c, nil
	}
	config, namespace, err := f.configFor(context)
	if err != nil {
		return nil, contextError(context, err)
	}
	config.WarningHandler = rest.NewWarningWriter(f.warnings, rest.WarningWriterOptions{Deduplicate: true})
	c, err := newClient(config, namespace)
	if err != nil {
		return nil, contextError(context, err)
	}
	c.names = sync.OnceValues(func() (string, string) { return f.names(context) })
	f.clients[context] = c
	return c, nil
}

// configFor is the REST config and namespace of a context: "" as kubectl
// resolves its flags, another from the kubeconfig loaded once, with the
// same connection flags applied.
func (f *Factory) configFor(context string) (*rest.Config, string, error) {
	loader := f.flags.ToRawKubeConfigLoader()
	if context != "" {
		raw, err := f.raw()
		if err != nil {
			return nil, "", err
		}
		o := overrides(f.flags)
		o.CurrentContext = context
		loader = clientcmd.NewNonInteractiveClientConfig(raw, context, o, nil)
	}
	config, err := loader.ClientConfig()
	if err != nil {
		return nil, "", err
	}
	if f.flags.WrapConfigFn != nil {
		config = f.flags.WrapConfigFn(config)
	}
	namespace, _, err := loader.Namespace()
	return config, namespace, err
}

// names are the kubeconfig's names of a context ("" the current one) and
// of its cluster, for notifications.
func (f *Factory) names(context string) (name, cluster string) {
	raw, err := f.raw()
	if err != nil {
		return context, ""
	}
	name = context
	if name == "" {
		name = raw.CurrentContext
		if f.flags.Context != nil && *f.flags.Context != "" {
			name = *f.flags.Context
		}
	}
	if c := raw.Contexts[name]; c != nil {
		cluster = c.Cluster
	}
	if f.flags.ClusterName != nil && *f.flags.ClusterName != "" {
		cluster = *f.flags.ClusterName
	}
	return name, cluster
}

func contextError(context string, err error) error {
	if context == "" {
		return err
	}
	return fmt.Errorf("context %s: %w", context, err)
}

// Contexts lists the contexts of the kubeconfig, and the current one.
func (f *Factory) Contexts() (names []string, current string, err error) {
	raw, err := f.raw()
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
