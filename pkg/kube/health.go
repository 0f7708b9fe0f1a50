package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// ReleasePods lists the pods of every Deployment of rel, with their status,
// in one request by the labels those Deployments share: what the built-in
// health gate judges, never a request per pod.
func (c *Client) ReleasePods(ctx context.Context, namespace string, rel *release.Release) ([]corev1.Pod, error) {
	list, err := c.pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: sharedLabels(rel).String()})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}
