package kube

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

const twoContexts = `apiVersion: v1
kind: Config
clusters:
- {name: ca, cluster: {server: "https://127.0.0.1:1"}}
- {name: cb, cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: true}}
users:
- {name: ua, user: {token: token-a}}
- {name: ub, user: {token: token-b, as: bob}}
contexts:
- {name: a, context: {cluster: ca, user: ua, namespace: shop}}
- {name: b, context: {cluster: cb, user: ub}}
current-context: a
`

// A context a target names is reached as `--context NAME` with the same
// flags would reach it, though the kubeconfig is read once for all of them.
func TestNamedContexts(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(twoContexts), 0o600); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		flags func(*genericclioptions.ConfigFlags)
	}{
		{"no flags", func(*genericclioptions.ConfigFlags) {}},
		{"-n", func(f *genericclioptions.ConfigFlags) { f.Namespace = str("web") }},
		{"--as and groups", func(f *genericclioptions.ConfigFlags) {
			f.Impersonate, f.ImpersonateGroup = str("alice"), &[]string{"devs"}
			f.ImpersonateUserExtra = &[]string{"scope=a", "scope=b", "bad"}
		}},
		{"--token", func(f *genericclioptions.ConfigFlags) { f.BearerToken = str("secret") }},
		{"--request-timeout", func(f *genericclioptions.ConfigFlags) { f.Timeout = str("5s") }},
		{"--server and --insecure-skip-tls-verify", func(f *genericclioptions.ConfigFlags) {
			f.APIServer, f.Insecure = str("https://127.0.0.1:9"), new(bool)
			*f.Insecure = true
		}},
		{"--user and --cluster", func(f *genericclioptions.ConfigFlags) { f.AuthInfoName, f.ClusterName = str("ua"), str("ca") }},
		{"--tls-server-name and --disable-compression", func(f *genericclioptions.ConfigFlags) {
			f.TLSServerName, f.DisableCompression = str("kubernetes"), new(bool)
			*f.DisableCompression = true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, context := range []string{"a", "b"} {
				flags := genericclioptions.NewConfigFlags(true)
				flags.KubeConfig = &kubeconfig
				tt.flags(flags)
				got, gotNamespace, err := NewFactory(flags, io.Discard).configFor(context)
				if err != nil {
					t.Fatal(err)
				}
				kubectl := genericclioptions.NewConfigFlags(false)
				kubectl.KubeConfig, kubectl.Context = &kubeconfig, &context
				tt.flags(kubectl)
				want, err := kubectl.ToRESTConfig()
				if err != nil {
					t.Fatal(err)
				}
				wantNamespace, _, _ := kubectl.ToRawKubeConfigLoader().Namespace()
				if gotNamespace != wantNamespace {
					t.Errorf("context %s: namespace %q, want %q", context, gotNamespace, wantNamespace)
				}
				if !reflect.DeepEqual(got.Impersonate, want.Impersonate) || got.Host != want.Host || got.BearerToken != want.BearerToken ||
					got.Timeout != want.Timeout || got.Insecure != want.Insecure ||
					got.ServerName != want.ServerName || got.DisableCompression != want.DisableCompression {
					t.Errorf("context %s:\ngot  %+v\nwant %+v", context, got, want)
				}
			}
		})
	}
}
