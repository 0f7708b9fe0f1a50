package strategy

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// deploymentBuilder keeps the route tests' names for fixture's builder
// until they move to a package of their own.
type deploymentBuilder struct{ fixture.DeploymentBuilder }

func newDeployment(name, image string, replicas int32) deploymentBuilder {
	return deploymentBuilder{fixture.NewDeployment(name).WithImage(image).WithReplicas(replicas)}
}

func (b deploymentBuilder) appOnly() deploymentBuilder { return deploymentBuilder{b.AppOnly()} }
func (b deploymentBuilder) v() *appsv1.Deployment      { return b.V() }

func (b deploymentBuilder) withSelector(key, value string) deploymentBuilder {
	return deploymentBuilder{b.Selecting(key, value)}
}

func newService(name string, selector map[string]string) *corev1.Service {
	return fixture.NewService(name).WithSelector(selector).V()
}

func newRelease(stable, canary *appsv1.Deployment) *release.Release {
	return &release.Release{Stable: stable, Canary: canary, Services: []*corev1.Service{newService(stable.Name, map[string]string{"app": stable.Name})}}
}
