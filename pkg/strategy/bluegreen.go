package strategy

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// BlueGreenRequest is what `kubectl ship bluegreen` asks for.
type BlueGreenRequest struct {
	Images []Image
	// Preview asks for a Service routing to the idle color, named
	// PreviewName or else NAME-preview.
	Preview     bool
	PreviewName string
	// Verify holds the idle color this long once it is ready, its gates
	// checked, before anything can switch to it.
	Verify time.Duration
}

// planBlueGreen plans bringing the new images up in the idle color, at the
// serving color's size, without moving any traffic. The first time it
// creates NAME-green and makes the Services route to blue by the color key;
// later it rolls whichever color is idle. nodes are the cluster's nodes when
// the pods request resources (nil otherwise), to weigh the doubled capacity.
func planBlueGreen(rel *release.Release, req BlueGreenRequest, nodes []corev1.Node) (plans.Plan, error) {
	blue := rel.Stable
	if rel.Canary != nil {
		return plans.Plan{}, fmt.Errorf("release %s has a canary (%s): promote or abort it before a blue-green release", blue.Name, rel.Canary.Name)
	}
	if _, routed := rel.RouteServing(); routed {
		return plans.Plan{}, greenRouteRefusal(rel, "rolling blue now would take those endpoints away")
	}
	var plan plans.Plan
	key, serving, err := servingColor(rel, req.Images, &plan)
	if err != nil {
		return plans.Plan{}, err
	}
	idle := serving.Other()
	live := rel.Deployment(serving)
	spec, err := setImages(live.Spec.Template.Spec, req.Images)
	if err != nil {
		return plans.Plan{}, err
	}
	if apiequality.Semantic.DeepEqual(spec, live.Spec.Template.Spec) {
		return plans.Plan{}, fmt.Errorf("%s (deployment %s) already serves %s: a blue-green release needs a different image", serving, live.Name, imageList(spec))
	}
	value, err := colorValue(key, idle, req.Images, live)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Notes = append(plan.Notes, sharedImageNotes(&live.Spec.Template.Spec, &spec)...)

	next, steps, err := idleColorSteps(rel, live, idle, spec, key, value)
	if err != nil {
		return plans.Plan{}, err
	}
	plan.Steps = append(plan.Steps, steps...)
	plan.Notes = append(plan.Notes, capacityNote(live, nodes), fmt.Sprintf("%s brings up %s beside %s; no traffic moves until 'kubectl ship bluegreen-switch %s'",
		idle, imageList(spec), serving, blue.Name))
	if req.Preview {
		step, err := previewStep(rel, req.PreviewName, key, value)
		if err != nil {
			return plans.Plan{}, err
		}
		if step != nil {
			plan.Steps = append(plan.Steps, *step)
		}
	}
	plan.Steps = append(plan.Steps, plans.WaitFor(next, plans.RolledOut, "wait until every pod of the idle color is ready"))
	if req.Verify > 0 {
		var hold plans.Step
		hold, plan.Progression = verifyHold(next, idle, spec, req.Verify)
		plan.Steps = append(plan.Steps, hold)
	}
	return plan, nil
}

// verifyHold holds the idle color, once ready, for d while its gates are
// checked, and is the progression recorded when the hold passed.
func verifyHold(next *appsv1.Deployment, idle release.Color, spec corev1.PodSpec, d time.Duration) (plans.Step, *release.Progression) {
	verify := &release.Progression{Images: colorImages(next), Color: idle, Verify: true, Phase: release.ProgressionRunning, Interval: metav1.Duration{Duration: d}}
	hold := plans.Step{Action: plans.Hold, Object: next, Duration: d, Progression: verify,
		Reason: fmt.Sprintf("the verification of %s (%s) before any switch", idle, imageList(spec))}
	verified := *verify
	verified.Phase, verified.Held = release.ProgressionComplete, true
	return hold, &verified
}

// idleColorSteps brings the idle color up on spec, labelled key=value:
// green created beside blue the first time, else the idle Deployment
// patched to live's template (blue first recording that the next switch
// goes to it). next is the idle Deployment as the steps leave it.
func idleColorSteps(rel *release.Release, live *appsv1.Deployment, idle release.Color, spec corev1.PodSpec, key, value string) (next *appsv1.Deployment, steps []plans.Step, err error) {
	blue := rel.Stable
	if idle == release.Green && rel.Green == nil {
		if d := rel.Existing("Deployment", release.GreenName(blue.Name)); d != nil {
			return nil, nil, plans.InTheWay("deployment", d.GetName(), blue.Name)
		}
		next = newGreen(blue, spec, key, value)
		steps = append(steps, plans.Step{Action: plans.Create, Object: next, Operation: "created",
			Reason: fmt.Sprintf("run %s as green beside blue", imageList(spec))})
	} else {
		// Record first where the next switch goes: to the color coming up.
		if idle == release.Blue {
			step, err := newColorStep(rel.Green, idle)
			if err != nil {
				return nil, nil, err
			}
			if step != nil {
				steps = append(steps, *step)
			}
		}
		current := rel.Deployment(idle)
		if held, ok := current.Spec.Selector.MatchLabels[key]; ok && held != value {
			return nil, nil, fmt.Errorf("deployment %s's selector holds %s=%s, which cannot change, so it cannot come up as %s=%s: end this blue-green release with 'kubectl ship bluegreen cleanup %s --delete', then start the next",
				current.Name, key, held, key, value, blue.Name)
		}
		next = current.DeepCopy()
		if idle == release.Green {
			next.Annotations[release.AnnotationNewColor] = string(idle)
		}
		labels := next.Spec.Template.Labels // the idle color's own, matching its selector
		next.Spec.Template = *live.Spec.Template.DeepCopy()
		next.Spec.Template.Spec = spec
		next.Spec.Template.Labels = labels
		next.Spec.Template.Labels[key] = value
		next.Spec.Replicas = live.Spec.Replicas
		step, err := plans.PatchStep(current, next, appsv1.Deployment{}, "configured",
			fmt.Sprintf("roll the idle color, %s, to %s", idle, imageList(spec)))
		if err != nil {
			return nil, nil, err
		}
		if step != nil {
			steps = append(steps, *step)
		}
	}
	return next, steps, nil
}

// newColorStep records on green that color is the one the next switch goes
// to, or returns nil when it already says so.
func newColorStep(green *appsv1.Deployment, color release.Color) (*plans.Step, error) {
	next := green.DeepCopy()
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[release.AnnotationNewColor] = string(color)
	return plans.PatchStep(green, next, appsv1.Deployment{}, "configured", fmt.Sprintf("the next switch goes to %s", color))
}

// newGreen derives the green Deployment from blue: blue's pod template with
// the new images, its own color label in selector and pods, and the key the
// Services switch on recorded for later runs.
func newGreen(blue *appsv1.Deployment, spec corev1.PodSpec, key, value string) *appsv1.Deployment {
	template := *blue.Spec.Template.DeepCopy()
	template.Spec = spec
	template.Labels[release.LabelColor] = string(release.Green)
	template.Labels[key] = value
	labels, annotations := release.OwnedBy(blue.Name, release.RoleGreen)
	annotations[release.AnnotationColorKey] = key
	annotations[release.AnnotationNewColor] = string(release.Green)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Name:        release.GreenName(blue.Name),
			Namespace:   blue.Namespace,
			Labels:      labels,
			Annotations: annotations,
		},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To(release.Replicas(blue)),
			Selector:                withLabel(blue.Spec.Selector, release.LabelColor, string(release.Green)),
			Template:                template,
			Strategy:                blue.Spec.Strategy,
			MinReadySeconds:         blue.Spec.MinReadySeconds,
			ProgressDeadlineSeconds: blue.Spec.ProgressDeadlineSeconds,
			RevisionHistoryLimit:    blue.Spec.RevisionHistoryLimit,
		},
	}
}

// previewStep creates or updates the preview Service (name, or NAME-preview
// when it is ""): the first Service's ports, selecting the idle color, so it
// can be tried before the switch.
func previewStep(rel *release.Release, name, key, value string) (*plans.Step, error) {
	base := rel.Services[0]
	selector := map[string]string{}
	for k, v := range base.Spec.Selector {
		selector[k] = v
	}
	selector[key] = value
	if current := rel.Preview; current != nil {
		next := current.DeepCopy()
		next.Spec.Selector = selector
		return plans.PatchStep(current, next, corev1.Service{}, "configured", "route the preview to the idle color")
	}
	flag := "--preview-service-name"
	if name == "" {
		name, flag = release.PreviewName(rel.Stable.Name), "give it another with --preview-service-name"
	}
	if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
		return nil, fmt.Errorf("the preview Service cannot be named %q (%s): %s", name, strings.Join(errs, "; "), flag)
	}
	if rel.Existing("Service", name) != nil {
		return nil, fmt.Errorf("service %s already exists and was not created by kubectl-ship for release %s: %s, or delete it",
			name, rel.Stable.Name, strings.TrimPrefix(flag, "give it another with "))
	}
	preview := route.TrackService(rel, base, name, release.RolePreview, selector)
	return &plans.Step{Action: plans.Create, Object: preview, Operation: "created", Reason: "route a preview to the idle color"}, nil
}
