package kube

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Workload reads the workload of release name as the verbs find it: its
// Deployment, else its StatefulSet, else its DaemonSet, and says which
// (release.KindDeployment, KindStatefulSet or KindDaemonSet). A Deployment
// costs one GET; each kind looked for after it one more. With none of
// them, the error is NoDeployment's, as the verbs say.
func (c *Client) Workload(ctx context.Context, namespace, name string) (string, metav1.Object, error) {
	d, err := c.Deployment(ctx, namespace, name)
	switch {
	case err == nil:
		return release.KindDeployment, d, nil
	case !release.IsNoDeployment(err):
		return "", nil, err
	}
	noDeployment := err
	sts, err := c.statefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return release.KindStatefulSet, sts, nil
	case !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err):
		return "", nil, err
	}
	ds, err := c.daemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", nil, missingAs(err, noDeployment)
	}
	return release.KindDaemonSet, ds, nil
}
