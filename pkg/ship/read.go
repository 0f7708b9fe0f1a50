package ship

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/version"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Status reads what `status` shows of release t.
func (e *Engine) Status(ctx context.Context, t Target) (*release.Status, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	return client.LoadStatus(ctx, t.Namespace, t.Name, t.Choice())
}

// Changes signals every change that may alter what Status shows of t (its
// Deployments, its Services' endpoints), until ctx ends.
func (e *Engine) Changes(ctx context.Context, t Target, st *release.Status) (<-chan struct{}, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(st.Services))
	for i, s := range st.Services {
		names[i] = s.Name
	}
	return client.Changes(ctx, t.Namespace, t.Name, names), nil
}

// List reads every release of t's namespace, or of all namespaces with
// allNamespaces, that selector matches; it returns t with its namespace
// resolved.
func (e *Engine) List(ctx context.Context, t Target, allNamespaces bool, selector labels.Selector) (*release.StatusList, Target, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, t, err
	}
	namespace := t.Namespace
	if allNamespaces {
		namespace = ""
	}
	list, err := client.LoadStatuses(ctx, namespace, selector)
	return list, t, err
}

// History reads the revisions of release t and the operations of its record.
func (e *Engine) History(ctx context.Context, t Target) (*release.History, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	d, replicaSets, err := client.RolloutHistory(ctx, t.Namespace, t.Name)
	// No Deployment of that name: a StatefulSet's, else a DaemonSet's.
	var sts *appsv1.StatefulSet
	var ds *appsv1.DaemonSet
	var revisions []appsv1.ControllerRevision
	if noDeployment := err; release.IsNoDeployment(err) {
		sts, revisions, err = client.StatefulHistory(ctx, t.Namespace, t.Name, noDeployment)
		if err == noDeployment {
			ds, revisions, err = client.DaemonHistory(ctx, t.Namespace, t.Name, noDeployment)
		}
	}
	if err != nil {
		return nil, err
	}
	lock, err := client.ReadLockAnnotations(ctx, t.Namespace, t.Name)
	if err != nil {
		return nil, err
	}
	switch {
	case sts != nil:
		return release.NewStatefulHistory(sts, revisions, lock), nil
	case ds != nil:
		return release.NewDaemonHistory(ds, revisions, lock), nil
	}
	return release.NewHistory(d, replicaSets, lock), nil
}

// Releases names the releases of t's namespace whose stable Deployment
// selector matches ("" matches all).
func (e *Engine) Releases(ctx context.Context, t Target, selector string) ([]string, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	names, err := client.ReleaseNames(ctx, t.Namespace, selector)
	if err == nil && len(names) == 0 && selector != "" {
		err = fmt.Errorf("no deployments in namespace %s match %s", t.Namespace, selector)
	}
	return names, err
}

// ServerVersion asks the API server of t's context for its version.
func (e *Engine) ServerVersion(ctx context.Context, t Target) (*version.Info, error) {
	client, _, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	return client.ServerVersion(ctx)
}

// Workload reads release t's workload as the verbs find it (see
// kube.Client.Workload: one request for a Deployment), its kind, and what
// reads what its policy names in its namespace.
func (e *Engine) Workload(ctx context.Context, t Target) (string, metav1.Object, Reader, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return "", nil, nil, err
	}
	kind, w, err := client.Workload(ctx, t.Namespace, t.Name)
	return kind, w, reader{client, t.Namespace}, err
}
