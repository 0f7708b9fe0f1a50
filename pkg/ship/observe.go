package ship

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Observe reads what the built-in gates judge of release t, as it is now
// (an operation may have changed it), whatever its pods: a Deployment's
// release in four requests (five through a route, see
// kube.Client.Observe); a StatefulSet's or a DaemonSet's in two, the
// workload and its pods. kind is what an earlier Observe found
// (Observed.Kind), read again directly; "" looks for a Deployment, then a
// StatefulSet, then a DaemonSet of t's name, as the verbs do.
func (e *Engine) Observe(ctx context.Context, t Target, kind string) (*release.Observed, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return nil, err
	}
	return observe(ctx, client, t, kind)
}

func observe(ctx context.Context, client cluster, t Target, kind string) (*release.Observed, error) {
	switch kind {
	case release.KindStatefulSet:
		sts, pods, err := client.ObserveStatefulSet(ctx, t.Namespace, t.Name)
		return &release.Observed{StatefulSet: sts, Pods: pods}, err
	case release.KindDaemonSet:
		ds, pods, err := client.ObserveDaemonSet(ctx, t.Namespace, t.Name)
		return &release.Observed{DaemonSet: ds, Pods: pods}, err
	}
	seen, err := client.Observe(ctx, t.Namespace, t.Name, t.Choice(), nil)
	if kind == "" && release.IsNoDeployment(err) {
		return observeWorkload(ctx, client, t, err)
	}
	return seen, err
}

// observeWorkload reads t's StatefulSet, else its DaemonSet, and their
// pods; noDeployment when there is neither (or the user may read neither).
func observeWorkload(ctx context.Context, client cluster, t Target, noDeployment error) (*release.Observed, error) {
	for _, kind := range []string{release.KindStatefulSet, release.KindDaemonSet} {
		seen, err := observe(ctx, client, t, kind)
		if !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
			return seen, err
		}
	}
	return nil, noDeployment
}

// workloadSubject is what the analyses and webhooks of a soak judge of a
// StatefulSet's or a DaemonSet's release: the workload, as its own canary.
func workloadSubject(seen *release.Observed) subject {
	if sts := seen.StatefulSet; sts != nil {
		return serviceless(sts.Name, &sts.Spec.Template.Spec)
	}
	return serviceless(seen.DaemonSet.Name, &seen.DaemonSet.Spec.Template.Spec)
}
