package strategy

import (
	"fmt"
	"math"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Adopt records a release whose canary or green was made by hand as
// kubectl-ship's.
type Adopt struct{}

// Verb names adopt in the release's record.
func (Adopt) Verb() string { return "adopt" }

// Needs nothing beyond the release.
func (Adopt) Needs() plans.Needs { return plans.Needs{} }

// Plan plans the adoption (planAdopt).
func (Adopt) Plan(s *plans.Snapshot) (plans.Plan, error) { return planAdopt(s.Release) }

// planAdopt plans giving the release's hand-made canary or green the labels
// and annotations kubectl-ship gives what it creates, so that every verb
// acts on it as on its own: one patch of the Deployment's own metadata. Its
// name, selector and pod template stay as they are (a selector cannot
// change, and a new template would restart its pods). Run again, it has
// nothing left to do.
func planAdopt(rel *release.Release) (plans.Plan, error) {
	name := rel.Stable.Name
	d := rel.HandMade()
	if d == nil {
		for _, m := range []*appsv1.Deployment{rel.Canary, rel.Green} {
			if m != nil {
				// An adoption cut short after its patch is not yet seen.
				return plans.Plan{Notes: []string{fmt.Sprintf("deployment %s, the %s of release %s, is already kubectl-ship's: nothing to adopt", m.Name, rel.RoleOf(m), name)},
					Steps: []plans.Step{plans.WaitFor(m, plans.Observed, "wait until the Deployment controller has seen the adoption")}}, nil
			}
		}
		return plans.Plan{}, plans.NothingLeft(fmt.Sprintf("release %s has no canary or green made by hand to adopt: kubectl-ship takes for a canary a Deployment of the same application its services route to, for a green one whose pods differ from its pods only in the label the services switch on; name another with --canary or --green", name))
	}
	next := d.DeepCopy()
	labels, annotations := adoptedMetadata(rel, d)
	if next.Labels == nil {
		next.Labels = map[string]string{}
	}
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	for k, v := range labels {
		next.Labels[k] = v
	}
	for k, v := range annotations {
		next.Annotations[k] = v
	}
	role := rel.RoleOf(d)
	step, err := plans.PatchStep(d, next, appsv1.Deployment{}, "adopted", fmt.Sprintf("record deployment %s as the %s of release %s", d.Name, role, name))
	if err != nil {
		return plans.Plan{}, err
	}
	plan := plans.Plan{Notes: []string{fmt.Sprintf("adopt deployment %s as the %s of release %s: labels %s; annotations %s; its name, selector, pod template and pods stay as they are",
		d.Name, role, name, joined(labels), joined(annotations))}}
	if role == release.RoleCanary && annotations[release.AnnotationWeight] != "" {
		plan.Notes = append(plan.Notes, fmt.Sprintf("its weight is its share of the pods now: %d canary %s beside %d stable",
			release.Replicas(d), release.Plural(release.Replicas(d), "pod"), release.Replicas(rel.Stable)))
	}
	if serving, _ := rel.Serving(rel.ColorKey()); role == release.RoleGreen && serving == release.Blue {
		plan.Notes = append(plan.Notes, fewerPods(rel, release.Green)...)
	}
	if step != nil {
		plan.Steps = append(plan.Steps, *step)
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.Observed, "wait until the Deployment controller has seen the adoption"))
	return plan, nil
}

// adoptedMetadata is what kubectl-ship writes on d: its release and role,
// that it was adopted, and for a canary its weight (its current share of
// the pods), for a green the label the Services switch on and that the
// next switch goes to green (the color brought up by hand).
func adoptedMetadata(rel *release.Release, d *appsv1.Deployment) (labels, annotations map[string]string) {
	role := rel.RoleOf(d)
	labels, annotations = release.OwnedBy(rel.Stable.Name, role)
	annotations[release.AnnotationAdopted] = "true"
	if role == release.RoleGreen {
		annotations[release.AnnotationColorKey] = rel.ColorKey()
		annotations[release.AnnotationNewColor] = string(release.Green)
		return labels, annotations
	}
	if split := (Split{Stable: release.Replicas(rel.Stable), Canary: release.Replicas(d)}); split.Stable > 0 && split.Canary > 0 {
		weight := min(99, max(1, int(math.Round(split.Percent()))))
		annotations[release.AnnotationWeight] = fmt.Sprint(weight)
	}
	return labels, annotations
}

// joined lists a map as k=v pairs, sorted.
func joined(m map[string]string) string {
	pairs := make([]string, 0, len(m))
	for k, v := range m {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ", ")
}

// adoptFirst refuses to change a release whose canary or green was made by
// hand, with the command that adopts it: what kubectl-ship recognised is a
// guess until the user confirms it, and a guess must never be deleted or
// rolled out.
func adoptFirst(rel *release.Release) error {
	d := rel.HandMade()
	if d == nil {
		return nil
	}
	return fmt.Errorf("deployment %s, the %s of release %s, was made by hand: adopt it first with '%s' (it changes only its labels and annotations), then run this again",
		d.Name, rel.RoleOf(d), rel.Stable.Name, rel.AdoptCommand())
}
