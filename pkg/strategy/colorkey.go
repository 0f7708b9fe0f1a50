package strategy

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// versionLabels are pod labels that already tell versions apart in many
// manifests; a blue-green release switches on one of them when the pods
// carry it, and on ship's own color label otherwise.
var versionLabels = []string{"app.kubernetes.io/version", "version"}

// servingColor is the label key the Services switch on and the color that
// serves. The first release chooses the key, and plan gets the steps that
// make blue's pods carry it and the Services select blue by it.
func servingColor(rel *release.Release, images []Image, plan *plans.Plan) (string, release.Color, error) {
	key, why := rel.ColorKey(), ""
	if key == "" {
		key, why = chooseColorKey(rel.Stable, images)
	}
	serving, err := rel.Serving(key)
	if err != nil || serving != "" {
		return key, serving, err
	}
	// The first release: blue's pods must carry the key before the
	// Services can select on it.
	steps, notes, err := routeToBlue(rel, key, why)
	if err != nil {
		return "", "", err
	}
	plan.Steps, plan.Notes = steps, notes
	return key, release.Blue, nil
}

// chooseColorKey picks the label the Services will switch on: a version
// label blue's pods already carry, when the new image's tag gives green a
// different value; ship's color label otherwise, with why blue's pods' own
// label cannot do.
func chooseColorKey(blue *appsv1.Deployment, images []Image) (key, why string) {
	tag := imageTag(images)
	why = "blue's pods carry no version label"
	for _, k := range versionLabels {
		v, ok := blue.Spec.Template.Labels[k]
		if !ok {
			continue
		}
		_, inSelector := blue.Spec.Selector.MatchLabels[k]
		switch {
		case inSelector:
			why = fmt.Sprintf("blue's pods carry %s=%s, but deployment %s's selector holds it, so it cannot change", k, v, blue.Name)
		case tag == "":
			why = fmt.Sprintf("blue's pods carry %s=%s, but the new image has no tag to give green another value", k, v)
		case tag == v:
			why = fmt.Sprintf("blue's pods carry %s=%s, and the new image's tag is %s too", k, v, tag)
		case len(validation.IsValidLabelValue(tag)) > 0:
			why = fmt.Sprintf("blue's pods carry %s=%s, but the new image's tag %q cannot be a label value", k, v, tag)
		default:
			return k, ""
		}
	}
	return release.LabelColor, why
}

// colorValue is the value of key the idle color's pods get: the color's name
// for ship's label, the new image's tag for a version label.
func colorValue(key string, idle release.Color, images []Image, live *appsv1.Deployment) (string, error) {
	if key == release.LabelColor {
		return string(idle), nil
	}
	tag := imageTag(images)
	if tag == "" || tag == live.Spec.Template.Labels[key] {
		return "", fmt.Errorf("the Services switch on the pods' %q label, so the new image needs a tag other than %q to tell the colors apart",
			key, live.Spec.Template.Labels[key])
	}
	if errs := validation.IsValidLabelValue(tag); len(errs) > 0 {
		return "", fmt.Errorf("the Services switch on the pods' %q label, and the new image's tag %q cannot be its value (%s): tag the image so that it can",
			key, tag, strings.Join(errs, "; "))
	}
	return tag, nil
}

func imageTag(images []Image) string {
	tag, _ := parseReference(images[0].Image) // checked by ParseImages
	return tag
}

// routeToBlue plans the first release's preparation: label blue's pods with
// the color key when they lack it (a rolling restart of blue, said out loud),
// then make every Service select blue by it. Blue keeps serving throughout.
func routeToBlue(rel *release.Release, key, why string) ([]plans.Step, []string, error) {
	blue := rel.Stable
	var steps []plans.Step
	var notes []string
	value := blue.Spec.Template.Labels[key]
	if why == "" {
		why = "blue's pods do not carry the color label yet"
	}
	if key == release.LabelColor {
		next := blue
		if value != string(release.Blue) {
			value = string(release.Blue)
			next = blue.DeepCopy()
			next.Spec.Template.Labels[key] = value
			step, err := plans.PatchStep(blue, next, appsv1.Deployment{}, "labelled", "give blue's pods the color label the Services will select")
			if err != nil {
				return nil, nil, err
			}
			notes = append(notes, fmt.Sprintf("note: %s, so deployment %s's pod template gets %s=blue: its pods restart through a rolling update first",
				why, blue.Name, key))
			steps = append(steps, *step)
		}
		// Also when an interrupted run already labelled the template: until
		// the rolling update is done, the Services would select only the
		// pods updated so far, maybe none.
		steps = append(steps, plans.WaitFor(next, plans.RolledOut, "wait until every blue pod carries the color label"))
	}
	for _, svc := range rel.Services {
		next := svc.DeepCopy()
		next.Spec.Selector[key] = value
		step, err := plans.PatchStep(svc, next, corev1.Service{}, "configured", "route only to blue's pods")
		if err != nil {
			return nil, nil, err
		}
		steps = append(steps, *step)
	}
	return steps, notes, nil
}
