package strategy

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// planSetImage plans a plain rolling update of the stable Deployment to new
// images, then a wait for it, as 'kubectl set image' followed by 'kubectl
// rollout status'. It refuses while a canary or green Deployment exists,
// since the stable pods would then change under a release in progress.
// Images it already runs leave a plan that only waits.
func planSetImage(rel *release.Release, images []Image) (plans.Plan, error) {
	stable := rel.Stable
	name := stable.Name
	switch {
	case rel.Canary != nil:
		return plans.Plan{}, fmt.Errorf("deployment %s has a canary (%s): roll the canary to the image with 'kubectl ship canary %s --image IMAGE --replace', then 'kubectl ship promote %s'; or remove it with 'kubectl ship abort %s' first",
			name, rel.Canary.Name, name, name, name)
	case rel.Green != nil:
		return plans.Plan{}, fmt.Errorf("release %s is a blue-green release (deployment %s exists): release the image with 'kubectl ship bluegreen %s --image IMAGE', or end blue-green with 'kubectl ship bluegreen cleanup %s --delete' first",
			name, rel.Green.Name, name, name)
	case stable.Spec.Paused:
		return plans.Plan{}, fmt.Errorf("deployment %s is paused, so its rolling update would not progress: resume it with 'kubectl rollout resume deployment/%s' and try again",
			name, name)
	}
	spec, err := setImages(stable.Spec.Template.Spec, images)
	if err != nil {
		return plans.Plan{}, err
	}
	next := stable.DeepCopy()
	next.Spec.Template.Spec = spec
	plan := plans.Plan{Notes: sharedImageNotes(&stable.Spec.Template.Spec, &spec)}
	if apiequality.Semantic.DeepEqual(spec, stable.Spec.Template.Spec) {
		plan.Notes = append(plan.Notes, fmt.Sprintf("deployment %s already runs %s: nothing to change", name, imageList(spec)))
	} else {
		step, err := plans.PatchStep(stable, next, appsv1.Deployment{}, "image updated",
			fmt.Sprintf("roll deployment %s to %s", name, imageList(spec)))
		if err != nil {
			return plans.Plan{}, err
		}
		plan.Steps = append(plan.Steps, *step)
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until every pod runs the new image"))
	return plan, nil
}

// rolloutFailed says whether the rollout of d to images is one that
// --undo-on-failure rolls back: d still runs images (nobody changed it
// since), its rollout is not done, and it ran past its progress deadline or,
// when timedOut, past --timeout.
func rolloutFailed(d *appsv1.Deployment, images []Image, timedOut bool) bool {
	spec, err := setImages(d.Spec.Template.Spec, images)
	if err != nil || !apiequality.Semantic.DeepEqual(spec, d.Spec.Template.Spec) {
		return false
	}
	_, done, err := release.RolloutStatus(d)
	return err != nil || (timedOut && !done)
}

// planRollback plans what 'kubectl rollout undo' does: put the pod template
// of d's previous revision back. replicaSets are the ReplicaSets d controls;
// the previous revision is the newest one whose template is not d's current
// template, so a rollout whose ReplicaSet the controller has not created yet
// still goes back to the revision it replaced. The change cause recorded
// with that revision comes back too, so 'kubectl rollout history' stays
// truthful. The step's result line names the revision restored.
func planRollback(d *appsv1.Deployment, replicaSets []appsv1.ReplicaSet) (plans.Plan, error) {
	var previous *appsv1.ReplicaSet
	revision := int64(-1)
	for i := range replicaSets {
		rs := &replicaSets[i]
		v, err := strconv.ParseInt(rs.Annotations[release.RevisionAnnotation], 10, 64)
		if err != nil || v <= revision || sameTemplate(&rs.Spec.Template, &d.Spec.Template) {
			continue
		}
		previous, revision = rs, v
	}
	if previous == nil {
		return plans.Plan{}, fmt.Errorf("deployment %s has no previous revision to roll back to (its revisionHistoryLimit may have removed it)", d.Name)
	}
	if d.Spec.Paused {
		return plans.Plan{}, fmt.Errorf("deployment %s is paused, so rolling it back would not progress: resume it with 'kubectl rollout resume deployment/%s' and roll back with 'kubectl rollout undo deployment/%s'",
			d.Name, d.Name, d.Name)
	}
	next := d.DeepCopy()
	next.Spec.Template = *previous.Spec.Template.DeepCopy()
	delete(next.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	if cause, ok := previous.Annotations[release.ChangeCauseAnnotation]; ok {
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[release.ChangeCauseAnnotation] = cause
	} else {
		delete(next.Annotations, release.ChangeCauseAnnotation)
	}
	step, err := plans.PatchStep(d, next, appsv1.Deployment{}, fmt.Sprintf("rolled back to revision %d", revision),
		fmt.Sprintf("restore revision %d of deployment %s (%s)", revision, d.Name, imageList(next.Spec.Template.Spec)))
	if err != nil || step == nil {
		return plans.Plan{}, err
	}
	return plans.Plan{Steps: []plans.Step{*step}}, nil
}

// sameTemplate compares pod templates as the Deployment controller does,
// ignoring the pod-template-hash label it adds to its ReplicaSets.
func sameTemplate(a, b *corev1.PodTemplateSpec) bool {
	a, b = a.DeepCopy(), b.DeepCopy()
	delete(a.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	delete(b.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	return apiequality.Semantic.DeepEqual(a, b)
}

// SetImage rolls the stable Deployment to new images; with UndoOnFailure a
// rollout that fails is rolled back to the previous revision.
type SetImage struct {
	Images        []Image
	UndoOnFailure bool
}

// Verb is "set image".
func (SetImage) Verb() string { return "set image" }

// Needs is the release alone.
func (SetImage) Needs() plans.Needs { return plans.Needs{} }

// Plan plans set image from s.
func (p SetImage) Plan(s *plans.Snapshot) (plans.Plan, error) {
	return planIfAdopted(s, func() (plans.Plan, error) { return planSetImage(s.Release, p.Images) })
}

// RecoverNeeds is the revisions, to find the previous one.
func (SetImage) RecoverNeeds() plans.Needs { return plans.Needs{Revisions: true} }

// Recover rolls the stable Deployment back to its previous revision when
// its rollout to p.Images really failed: past its progress deadline, or
// past --timeout. Anything else (nobody asked, or someone changed the
// Deployment since) leaves the rollout as it is.
func (p SetImage) Recover(s *plans.Snapshot, failure plans.Failure) (plans.Plan, error) {
	if !p.UndoOnFailure || !rolloutFailed(s.Release.Stable, p.Images, failure.TimedOut) {
		return plans.Plan{}, nil
	}
	return planRollback(s.Release.Stable, s.ReplicaSets)
}
