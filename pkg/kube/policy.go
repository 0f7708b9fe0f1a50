package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/gentype"
)

// ConfigMapData reads the data of ConfigMap name of namespace: a release
// policy's namespace default. One GET, made only when a Deployment names it.
func (c *Client) ConfigMapData(ctx context.Context, namespace, name string) (map[string]string, error) {
	cm, err := c.configMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if errors.IsNotFound(err) {
		return nil, fmt.Errorf("configmap %s not found in namespace %s", name, namespace)
	}
	if err != nil {
		return nil, err
	}
	return cm.Data, nil
}

// SecretValue reads key of Secret name of namespace with the user's own
// credentials: a notification receiver's URL. The value is never printed:
// errors name the Secret and the key only.
func (c *Client) SecretValue(ctx context.Context, namespace, name, key string) (string, error) {
	secret, err := c.secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case errors.IsNotFound(err):
		return "", fmt.Errorf("secret %s not found in namespace %s", name, namespace)
	case errors.IsForbidden(err):
		return "", fmt.Errorf(`forbidden: kubectl-ship needs "get" on secrets named %s in namespace %s, to read the notification URL of its key %s`, name, namespace, key)
	case err != nil:
		return "", fmt.Errorf("secret %s: %w", name, err)
	}
	value, ok := secret.Data[key]
	if !ok {
		return "", fmt.Errorf("secret %s in namespace %s has no key %s", name, namespace, key)
	}
	return string(value), nil
}

func (c *Client) configMaps(namespace string) *gentype.ClientWithList[*corev1.ConfigMap, *corev1.ConfigMapList] {
	return resource[corev1.ConfigMap, corev1.ConfigMapList](c.core, "configmaps", namespace)
}

func (c *Client) secrets(namespace string) *gentype.ClientWithList[*corev1.Secret, *corev1.SecretList] {
	return resource[corev1.Secret, corev1.SecretList](c.core, "secrets", namespace)
}
