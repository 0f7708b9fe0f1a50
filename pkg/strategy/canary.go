package strategy

import (
	"fmt"
	"math"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// How far, in percentage points, the weight replica counts can reach may be
// from the one asked for: a careful user who asks for 10% must not get 25%
// because the stable Deployment has 3 pods.
const (
	weightTolerance = 5.0
	exactTolerance  = 1.0 // with --exact
)

// CanaryRequest is what `kubectl ship canary` asks for.
type CanaryRequest struct {
	Images []Image
	// Weight is the canary's share of pods in percent (1-99); 0 when
	// Replicas is given instead. With neither, the canary has one pod.
	Weight   int32
	Replicas int32
	// Sticky makes the Service pin clients by IP for the canary's lifetime;
	// StickySeconds is its timeout (0: the Kubernetes default).
	Sticky        bool
	StickySeconds int32
	// Replace allows rolling an existing canary to other images.
	Replace bool
	// Exact narrows how far the weight replica counts can reach may be
	// from Weight, from 5 percentage points to 1.
	Exact bool

	// WeightSet says --weight was given: through a route, 0 is a weight.
	WeightSet bool
	// WeightTotal is what Weight is out of, through a route (0: 100).
	WeightTotal int32
	// Route is the route the canary runs through, if any.
	Route route.Choice
	// Header and Cookie send the requests that match them to the canary,
	// whatever the weight (a route only).
	Header *release.HeaderMatch
	Cookie string
	// Nodes are the nodes of a DaemonSet's canary.
	Nodes NodeChoice
}

// planCanary plans starting or resizing the canary of rel. The stable
// Deployment is never changed.
func planCanary(rel *release.Release, req CanaryRequest) (plans.Plan, error) {
	svc, spec, err := canaryPodSpec(rel, req)
	if err != nil {
		return plans.Plan{}, err
	}
	target, err := route.ForCanary(rel, svc, req.Route)
	if err != nil {
		return plans.Plan{}, err
	}
	if target != nil {
		return planRoutedCanary(rel, svc, spec, target, req)
	}
	return planShareOfPods(rel, svc, spec, req)
}

// canaryPodSpec is the canary's pod spec, the stable's with the new images,
// and the Service it shares; a blue-green release, or images the stable
// already runs, are refused.
func canaryPodSpec(rel *release.Release, req CanaryRequest) (*corev1.Service, corev1.PodSpec, error) {
	stable := rel.Stable
	if rel.Green != nil {
		return nil, corev1.PodSpec{}, fmt.Errorf("release %s is a blue-green release (deployment %s exists): finish it with 'kubectl ship bluegreen cleanup %s --delete' before a canary",
			stable.Name, rel.Green.Name, stable.Name)
	}
	svc, err := rel.Service()
	if err != nil {
		return nil, corev1.PodSpec{}, err
	}
	spec, err := setImages(stable.Spec.Template.Spec, req.Images)
	if err != nil {
		return nil, corev1.PodSpec{}, err
	}
	if apiequality.Semantic.DeepEqual(spec, stable.Spec.Template.Spec) {
		return nil, corev1.PodSpec{}, fmt.Errorf("deployment %s already runs %s: a canary needs a different image", stable.Name, imageList(spec))
	}
	return svc, spec, nil
}

// canaryDeployment creates the canary, or resizes the one there (rolling it
// to desired's images only with replace); it returns the canary as its
// steps leave it.
func canaryDeployment(rel *release.Release, desired *appsv1.Deployment, replace bool) ([]plans.Step, *appsv1.Deployment, error) {
	stable, current := rel.Stable, rel.Canary
	if current == nil {
		if d := rel.Existing("Deployment", desired.Name); d != nil {
			return nil, nil, plans.InTheWay("deployment", d.GetName(), stable.Name)
		}
		return []plans.Step{{Action: plans.Create, Object: desired, Operation: "created",
			Reason: fmt.Sprintf("run %s beside deployment %s", imageList(desired.Spec.Template.Spec), stable.Name)}}, desired, nil
	}
	step, err := updateCanary(current, desired, replace)
	if err != nil || step == nil {
		return nil, current, err
	}
	return []plans.Step{*step}, step.Object.(*appsv1.Deployment), nil
}

// canarySplit sizes the canary. With --weight, the canary's share of the
// pods must come within 5 percentage points of it (1 with --exact), and the
// canary never gets more pods than the stable Deployment: both take an
// explicit --replicas.
func canarySplit(stable *appsv1.Deployment, req CanaryRequest) (Split, error) {
	replicas := release.Replicas(stable)
	switch {
	case req.Replicas > 0:
		return Split{Stable: replicas, Canary: req.Replicas}, nil
	case req.Weight == 0:
		return Split{Stable: replicas, Canary: 1}, nil
	case replicas == 0:
		return Split{}, fmt.Errorf("deployment %s has 0 replicas, so no weight can be reached: scale it up or give --replicas", stable.Name)
	}
	split := splitForWeight(replicas, req.Weight)
	if split.Canary > replicas {
		return Split{}, fmt.Errorf("weight %d%% needs more canary pods than stable ones (%d beside %d): give the canary's size with --replicas %d to run that many, or promote it",
			req.Weight, split.Canary, replicas, split.Canary)
	}
	tolerance, flag := weightTolerance, ""
	if req.Exact {
		tolerance, flag = exactTolerance, "--exact: "
	}
	if math.Abs(split.Percent()-float64(req.Weight)) > tolerance {
		e := exactSplit(req.Weight)
		return Split{}, fmt.Errorf("%sweight %d%% cannot be reached beside %d stable pods (closest: %.1f%% with %d canary %s); %d stable and %d canary %s give it exactly: scale the release first ('kubectl ship scale %s --replicas %d'), or give the canary's size with --replicas",
			flag, req.Weight, replicas, split.Percent(), split.Canary, release.Plural(split.Canary, "pod"), e.Stable, e.Canary, release.Plural(e.Canary, "pod"), stable.Name, e.Stable)
	}
	return split, nil
}

// stableNotes warn, before a canary starts, of what the stable Deployment's
// state makes of it: a rollout half done (the canary takes the newest
// template, which not every stable pod runs), or no stable pods at all.
func stableNotes(stable *appsv1.Deployment, svc *corev1.Service, split Split) []string {
	var notes []string
	if _, done, _ := release.RolloutStatus(stable); !done {
		state := "in progress"
		if stable.Spec.Paused {
			state = "paused"
		}
		notes = append(notes, fmt.Sprintf("note: deployment %s's rollout is %s (%d of %d pods run its newest pod template): the canary starts from that template, and status compares it with it",
			stable.Name, state, stable.Status.UpdatedReplicas, release.Replicas(stable)))
	}
	if split.Stable == 0 {
		notes = append(notes, fmt.Sprintf("warning: deployment %s has 0 replicas: the canary's %d %s take all of service %s's traffic",
			stable.Name, split.Canary, release.Plural(split.Canary, "pod"), svc.Name))
	}
	return notes
}

// newCanary derives the canary Deployment from the stable one: the same pod
// template with the new images and the track label, so the Service routes to
// it but neither Deployment's selector owns the other's pods.
func newCanary(stable *appsv1.Deployment, spec corev1.PodSpec, tr track, replicas, weight int32) *appsv1.Deployment {
	template := *stable.Spec.Template.DeepCopy()
	template.Spec = spec
	template.Labels = tr.podLabels(template.Labels)
	labels, annotations := release.OwnedBy(stable.Name, release.RoleCanary)
	if weight > 0 {
		annotations[release.AnnotationWeight] = fmt.Sprint(weight)
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Name:        release.CanaryName(stable.Name),
			Namespace:   stable.Namespace,
			Labels:      labels,
			Annotations: annotations,
			// Deleting the stable Deployment takes its canary with it.
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "Deployment", Name: stable.Name, UID: stable.UID,
			}},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To(replicas),
			Selector:                tr.selector,
			Template:                template,
			Strategy:                stable.Spec.Strategy,
			MinReadySeconds:         stable.Spec.MinReadySeconds,
			ProgressDeadlineSeconds: stable.Spec.ProgressDeadlineSeconds,
			RevisionHistoryLimit:    stable.Spec.RevisionHistoryLimit,
		},
	}
}

// updateCanary resizes an existing canary, and rolls it to new images only
// when replace allows it.
func updateCanary(current, desired *appsv1.Deployment, replace bool) (*plans.Step, error) {
	next := current.DeepCopy()
	operation := "scaled"
	if !sameImages(&current.Spec.Template.Spec, &desired.Spec.Template.Spec) {
		if !replace {
			return nil, fmt.Errorf("canary %s runs %s, not %s: pass --replace to roll the canary to the new image, or abort it first",
				current.Name, imageList(current.Spec.Template.Spec), imageList(desired.Spec.Template.Spec))
		}
		if !apiequality.Semantic.DeepEqual(current.Spec.Selector, desired.Spec.Selector) {
			return nil, fmt.Errorf("canary %s selects %s, not %s as it would now: abort it and start the canary again",
				current.Name, metav1.FormatLabelSelector(current.Spec.Selector), metav1.FormatLabelSelector(desired.Spec.Selector))
		}
		next.Spec.Template = desired.Spec.Template
		operation = "configured"
	}
	next.Spec.Replicas = desired.Spec.Replicas
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	delete(next.Annotations, release.AnnotationWeight)
	for k, v := range desired.Annotations {
		next.Annotations[k] = v
	}
	return plans.PatchStep(current, next, appsv1.Deployment{}, operation, "resize the canary to the requested weight")
}
