package release

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// AnnotationAdopted marks a canary or green made by hand that kubectl-ship
// adopted: from then on it acts on it as on its own.
const AnnotationAdopted = prefix + "adopted"

// HandMade returns the release's canary or green that kubectl-ship neither
// created nor adopted, or nil. kubectl-ship changes such a release only
// once it is adopted (AdoptCommand).
func (r *Release) HandMade() *appsv1.Deployment { return r.handMade }

// RoleOf is the role of the release's canary or green d: canary or green.
func (r *Release) RoleOf(d *appsv1.Deployment) string {
	if d != nil && d == r.Green {
		return RoleGreen
	}
	return RoleCanary
}

// AdoptCommand is the command that adopts the hand-made canary or green,
// naming it, so that it means the same whatever appears beside it later.
func (r *Release) AdoptCommand() string {
	cmd := fmt.Sprintf("kubectl ship adopt %s --%s %s", r.Stable.Name, r.RoleOf(r.handMade), r.handMade.Name)
	if r.explicit != "" {
		cmd += " --service " + r.explicit
	}
	return cmd
}

// appKeys are the pod labels that name an application; colorKeys those
// that tell two versions of one apart, as a blue-green's Services switch.
var (
	appKeys   = []string{"app", "app.kubernetes.io/name"}
	colorKeys = map[string]bool{"version": true, "app.kubernetes.io/version": true, "color": true, LabelColor: true}
)

// sameApp says whether d's pods carry the application labels of the stable
// pods, with their values, and there is at least one.
func (r *Release) sameApp(d *appsv1.Deployment) bool {
	found := false
	for _, k := range appKeys {
		if v, ok := r.Stable.Spec.Template.Labels[k]; ok {
			if d.Spec.Template.Labels[k] != v {
				return false
			}
			found = true
		}
	}
	return found
}

// switched returns the label whose value alone tells d's pods from the
// stable pods, when a Service of the release selects on it (the seed's
// version: 1.0.0 and 2.0.0), or "".
func switched(r *Release, services []corev1.Service, d *appsv1.Deployment) string {
	stable, other := labels.Set(r.Stable.Spec.Template.Labels), labels.Set(d.Spec.Template.Labels)
	keys := differing(stable, other)
	if len(keys) != 1 || !stable.Has(keys[0]) || !other.Has(keys[0]) {
		return ""
	}
	for i := range services {
		svc := &services[i]
		if _, shipMade := OwnerOf(svc); shipMade || r.explicit != "" && svc.Name != r.explicit {
			continue
		}
		if _, ok := svc.Spec.Selector[keys[0]]; ok && selectsAny(svc, []labels.Set{stable, other}) {
			return keys[0]
		}
	}
	return ""
}

// differing lists, sorted, the labels a and b do not share with one value.
func differing(a, b labels.Set) []string {
	var keys []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if !a.Has(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// CheckChoice refuses a --canary or --green (flag) that names the
// Deployment of the release itself; the verbs check it before any request.
func CheckChoice(flag, name, release string) error {
	if name != "" && name == release {
		return fmt.Errorf("--%s %s: that is the release's own Deployment; name the Deployment beside it", flag, name)
	}
	return nil
}

// named finds the Deployment --canary or --green (flag) names.
func (r *Release) named(flag, name string) (*appsv1.Deployment, error) {
	if err := CheckChoice(flag, name, r.Stable.Name); err != nil {
		return nil, err
	}
	d := r.otherDeployments[name]
	if d == nil {
		return nil, fmt.Errorf("--%s %s: deployment %s not found in namespace %s", flag, name, name, r.Stable.Namespace)
	}
	if owner, shipMade := OwnerOf(d); shipMade {
		return nil, fmt.Errorf("--%s %s: deployment %s was created by kubectl-ship for release %s", flag, name, name, owner)
	}
	return d, nil
}

// notCanary says why the Deployment --canary names is no canary.
func (r *Release) notCanary(name string) error {
	d, err := r.named(RoleCanary, name)
	if err != nil {
		return err
	}
	pods := labels.Set(d.Spec.Template.Labels)
	for _, svc := range r.Services {
		if !selectsAny(svc, []labels.Set{pods}) {
			return fmt.Errorf("--canary %s: service %s (selector %s) does not select its pods (pod labels %s), so it is no canary of release %s",
				name, svc.Name, describeSelector(svc), pods, r.Stable.Name)
		}
	}
	return fmt.Errorf("--canary %s: no service routes to release %s", name, r.Stable.Name)
}

// notGreen says why the Deployment --green names is no green.
func (r *Release) notGreen(name string) error {
	d, err := r.named(RoleGreen, name)
	if err != nil {
		return err
	}
	keys := differing(labels.Set(r.Stable.Spec.Template.Labels), labels.Set(d.Spec.Template.Labels))
	if len(keys) != 1 {
		return fmt.Errorf("--green %s: its pods differ from deployment %s's in %d labels (%s); a green's differ only in the label the services switch on, such as version",
			name, r.Stable.Name, len(keys), strings.Join(keys, ", "))
	}
	return fmt.Errorf("--green %s: no service selects on %q, the label its pods differ in from deployment %s's, with a value of either",
		name, keys[0], r.Stable.Name)
}

// markHandMade marks the canary or green among deployments that
// kubectl-ship did not create, and returns the warning that one it has not
// adopted calls for.
func markHandMade(rel *Release, deployments []DeploymentStatus) []string {
	var warnings []string
	for i := range deployments {
		ds := &deployments[i]
		if ds.Role == RoleStable || ds.Role == string(Blue) {
			continue
		}
		d := rel.Canary // as members() has it
		if d == nil {
			d = rel.Green
		}
		switch {
		case d == rel.handMade:
			ds.HandMade = true
			warnings = append(warnings, fmt.Sprintf("deployment %s, the %s, was made by hand: kubectl-ship changes release %s once it is adopted ('%s'), which changes only its labels and annotations",
				d.Name, rel.RoleOf(d), rel.Stable.Name, rel.AdoptCommand()))
		case d.Annotations[AnnotationAdopted] == "true":
			ds.HandMade, ds.Adopted = true, true
		}
	}
	return warnings
}
