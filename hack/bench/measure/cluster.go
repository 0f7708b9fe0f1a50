//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

const ship = "kubectl-ship"

// cluster is where the API measurements run: its kubeconfig, the binaries
// that talk to it, and a client for fixtures and watches.
type cluster struct {
	kubeconfig, kubectl, ship string
	client                    kubernetes.Interface
}

func newCluster(kubeconfig, kubectl, shipPath string) (*cluster, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	// The 1,000-release fixture is 2,000 creates.
	config.QPS, config.Burst = 500, 1000
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return &cluster{kubeconfig: kubeconfig, kubectl: kubectl, ship: shipPath, client: client}, nil
}

// command runs binary (kubectl or kubectl-ship) in namespace.
func (c *cluster) command(binary, namespace string, args ...string) command {
	path := c.ship
	if binary == reference {
		path = c.kubectl
	}
	name := binary + " " + strings.Join(args, " ")
	return command{name, path, append([]string{"--kubeconfig", c.kubeconfig, "-n", namespace}, args...)}
}

// run runs kubectl-ship with args in namespace, if there are any args: a
// step that is not measured.
func (c *cluster) run(namespace string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	cmd := c.command(ship, namespace, args...)
	_, err := executeExplained(cmd.path, cmd.args, nil, nil)
	return err
}

// requests runs cmd once at -v=6 and counts the API requests it made.
func (c *cluster) requests(cmd command, namespace string) (requestlog.Counts, sample, error) {
	var log strings.Builder
	s, err := executeExplained(cmd.path, append([]string{"-v=6"}, cmd.args...), nil, &log)
	return requestlog.Count(requestlog.Parse(log.String(), namespace)), s, err
}

func image(name, tag string) string { return "example.com/" + name + ":" + tag }

// createRelease creates a Deployment of replicas pods and a Service that
// selects it, both called name: what a release starts from. Objects that
// already exist are kept, so a fixture can be completed.
func (c *cluster) createRelease(ctx context.Context, namespace, name string, replicas int32) error {
	labels := map[string]string{"app": name}
	deployment := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image(name, "1.0")}}},
			},
		},
	}
	if _, err := c.client.AppsV1().Deployments(namespace).Create(ctx, deployment, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	service := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}},
	}
	if _, err := c.client.CoreV1().Services(namespace).Create(ctx, service, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func (c *cluster) createNamespace(ctx context.Context, name string) error {
	_, err := c.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// waitAvailable waits until namespace holds releases Deployments with all
// their pods available, saying how far it is every ten seconds.
func (c *cluster) waitAvailable(ctx context.Context, namespace string, releases int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	lastReport := time.Now()
	for {
		list, err := c.client.AppsV1().Deployments(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		available := 0
		for _, d := range list.Items {
			if d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas == *d.Spec.Replicas && d.Status.Replicas == *d.Spec.Replicas {
				available++
			}
		}
		switch {
		case available == releases && len(list.Items) == releases:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("namespace %s: %d of %d Deployments available after %s", namespace, available, releases, timeout)
		case time.Since(lastReport) > 10*time.Second:
			fmt.Fprintf(os.Stderr, "namespace %s: %d of %d Deployments available\n", namespace, available, releases)
			lastReport = time.Now()
		}
		time.Sleep(time.Second)
	}
}
