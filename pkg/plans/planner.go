package plans

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Snapshot is what a planner decides from: the release as read, and what
// else its planner needs.
type Snapshot struct {
	Release *release.Release
	// Nodes are the cluster's nodes, read for Needs.Capacity when the pods
	// request resources; nil otherwise or when they could not be read.
	Nodes []corev1.Node
	// ReplicaSets are those the stable Deployment controls, read for
	// Needs.Revisions: its revisions, as 'kubectl rollout history' sees them.
	ReplicaSets []appsv1.ReplicaSet
	// Progression is the progression the release's record keeps, if any.
	Progression *release.Progression
	// StatefulSet, when no Deployment of the release's name exists and the
	// planner has Needs.StatefulSet, is the StatefulSet of that name, and
	// Pods its pods; Release is then nil.
	StatefulSet *appsv1.StatefulSet
	Pods        []corev1.Pod
	// StatefulRoute, for a StatefulSet whose canary runs through a route
	// (named, or recorded), is its Services and routes, read as those of a
	// release whose stable Deployment stands for its pods
	// (release.StatefulView).
	StatefulRoute *release.Release
	// DaemonSet, when neither a Deployment nor a StatefulSet has the
	// release's name and the planner has Needs.DaemonSet, is the DaemonSet
	// of that name, Pods its pods, and Nodes those Needs.NodeSelector
	// matches.
	DaemonSet *appsv1.DaemonSet
}

// Needs says what a planner reads beside the release.
type Needs struct {
	// Capacity: the nodes' allocatable resources, when the pods request any.
	Capacity bool
	// Revisions: the stable Deployment's ReplicaSets.
	Revisions bool
	// Autoscalers: the HorizontalPodAutoscalers that scale the release's
	// Deployments (Release.Autoscalers).
	Autoscalers bool
	// Routes: the routes that send traffic to the release (Release.Routes).
	Routes RouteNeeds
	// Unserved: the release also when no Service routes to its pods any
	// more (a selector changed during a hold): a rollback still removes
	// what it made.
	Unserved bool
	// StatefulSet: a StatefulSet of the release's name, and its pods, when
	// no Deployment has it (Snapshot.StatefulSet).
	StatefulSet bool
	// DaemonSet: a DaemonSet of the release's name, and its pods, when no
	// Deployment or StatefulSet has it (Snapshot.DaemonSet); NodeSelector,
	// the nodes it matches (Snapshot.Nodes).
	DaemonSet    bool
	NodeSelector string
}

// RouteNeeds says which routes a planner reads: the one named, or the one
// the release runs through (Recorded), or else those of the namespace
// (Discover). Each is one list request, of the route's kind and namespace.
type RouteNeeds struct {
	// Named is the route the user named with --route.
	Named *release.RouteRef
	// Recorded reads the route a routed release records, if it records one.
	Recorded bool
	// Discover lists the namespace's HTTPRoutes.
	Discover bool
	// Grants, with Discover, lists the namespace's ReferenceGrants when no
	// HTTPRoute of the namespace sends traffic to the release: the
	// HTTPRoutes of other namespaces they let in must be named.
	Grants bool
}

// Planner decides one verb's changes to a release from a snapshot. Plan is
// pure and idempotent: run on the state its own plan left, it plans nothing
// more, so an interrupted operation is finished by planning it again.
type Planner interface {
	// Verb names the operation in the release's record ("promote"); a
	// NothingLeftError after the same verb means it is already done.
	Verb() string
	Needs() Needs
	Plan(*Snapshot) (Plan, error)
}

// Recoverer is a Planner that knows how to undo a run that failed while it
// waited or held: set image --undo-on-failure, a progression whose gates
// failed. Recover plans from a fresh snapshot read with RecoverNeeds; an
// empty plan leaves things as they are.
type Recoverer interface {
	RecoverNeeds() Needs
	Recover(s *Snapshot, failure Failure) (Plan, error)
}

// Failure is why a run stopped: its error, and whether it ran out of time
// or a gate failed.
type Failure struct {
	Err      error
	TimedOut bool
	Gate     bool
}
