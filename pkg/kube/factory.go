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
	// The connection flags are held in closures, never in a field of type
	// *ConfigFlags: -o go-template's reflection makes the linker keep every
	// exported method of every type an interface can reach, and ConfigFlags
	// reaches discovery and OpenAPI parsers (2 MB) that ship never calls.
	loader    func() clientcmd.ClientConfig
	overrides func() *clientcmd.ConfigOverrides
	wrap      func(*rest.Config) *rest.Config
	warnings  io.Writer
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
	f := &Factory{
		loader:    flags.ToRawKubeConfigLoader,
		overrides: func() *clientcmd.ConfigOverrides { return overrides(flags) },
		wrap: func(c *rest.Config) *rest.Config {
			if flags.WrapConfigFn != nil {
				return flags.WrapConfigFn(c)
			}
			return c
		},
		warnings: warnings,
		clients:  map[string]*Client{},
	}
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
	loader := f.loader()
	if context != "" {
		raw, err := f.raw()
		if err != nil {
			return nil, "", err
		}
		o := f.overrides()
		o.CurrentContext = context
		loader = clientcmd.NewNonInteractiveClientConfig(raw, context, o, nil)
	}
	config, err := loader.ClientConfig()
	if err != nil {
		return nil, "", err
	}
	config = f.wrap(config)
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
		if flag := f.overrides().CurrentContext; flag != "" {
			name = flag
		}
	}
	if c := raw.Contexts[name]; c != nil {
		cluster = c.Cluster
	}
	if flag := f.overrides().Context.Cluster; flag != "" {
		cluster = flag
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
	if flag := f.overrides().CurrentContext; flag != "" {
		current = flag
	}
	return names, current, nil
}
