package gate

import (
	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// canaryPod is a pod of web's canary, web-canary, as its ReplicaSet makes it.
func canaryPod(name string) fixture.PodBuilder {
	return fixture.NewPod(name, map[string]string{"app": "web", "track": "canary"}).OwnedBy("web-canary", "c4n4ry")
}

// stablePod is a pod of Deployment web, as its ReplicaSet makes it.
func stablePod(name string) fixture.PodBuilder {
	return fixture.NewPod(name, map[string]string{"app": "web", "track": "stable"}).OwnedBy("web", "5t4bl3")
}
