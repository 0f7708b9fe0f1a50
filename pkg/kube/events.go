package kube

import (
	"context"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// recordEvent leaves op as an Event on the release's Deployment, where
// kubectl describe and kubectl events show it. It is best effort: the
// release's own record already holds op, and an Event that cannot be
// written (RBAC, quota) must not fail an operation that succeeded.
func (c *Client) recordEvent(ctx context.Context, namespace, name string, op release.Operation) {
	reason, eventType, message := "ShipOperation", corev1.EventTypeNormal, op.Command
	if len(op.Changes) > 0 {
		message += ": " + strings.Join(op.Changes, ", ")
	}
	if op.Error != "" {
		reason, eventType, message = "ShipOperationFailed", corev1.EventTypeWarning, message+": "+op.Error
	}
	host, _ := os.Hostname()
	_, _ = c.events(namespace).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: name + "."},
		InvolvedObject: corev1.ObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Namespace: namespace, Name: name},
		Reason:         reason,
		Message:        message,
		Type:           eventType,
		Source:         corev1.EventSource{Component: fieldManager, Host: host},
		FirstTimestamp: op.Time,
		LastTimestamp:  op.Time,
		Count:          1,
	}, metav1.CreateOptions{FieldManager: fieldManager})
}
