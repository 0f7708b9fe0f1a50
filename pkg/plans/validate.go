package plans

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks, as the API server will, what a plan decided of every
// object it creates or patches: names (a DNS subdomain for a Deployment, a
// DNS-1035 label for a Service), labels and annotations, pod template labels
// and selectors. A plan that would be refused halfway is refused whole,
// before its first write. (The server checks more; what ship derives, such
// as names with suffixes and labels from image tags, is checked here.)
func Validate(p Plan) error {
	for _, step := range p.Steps {
		if step.Action != Create && step.Action != Patch {
			continue
		}
		var errs field.ErrorList
		kind := ""
		switch obj := step.Object.(type) {
		case *appsv1.Deployment:
			kind = "deployment"
			errs = apivalidation.ValidateObjectMeta(&obj.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
			errs = append(errs, metav1validation.ValidateLabels(obj.Spec.Template.Labels, field.NewPath("spec", "template", "metadata", "labels"))...)
			errs = append(errs, metav1validation.ValidateLabelSelector(obj.Spec.Selector, metav1validation.LabelSelectorValidationOptions{}, field.NewPath("spec", "selector"))...)
		case *corev1.Service:
			kind = "service"
			errs = apivalidation.ValidateObjectMeta(&obj.ObjectMeta, true, apivalidation.NameIsDNS1035Label, field.NewPath("metadata"))
			errs = append(errs, metav1validation.ValidateLabels(obj.Spec.Selector, field.NewPath("spec", "selector"))...)
		}
		if len(errs) > 0 {
			return fmt.Errorf("%s %s would be refused by the API server: %v", kind, nameOf(step), errs.ToAggregate())
		}
	}
	return nil
}

// Mirrored reports whether Validate checks, of a write of obj, what the
// API server would: a Deployment's or a Service's. A plan's writes of any
// other kind (an HTTPRoute, an Ingress, a custom resource) go to the API
// server with dryRun=All before its first real write.
func Mirrored(obj runtime.Object) bool {
	switch obj.(type) {
	case *appsv1.Deployment, *corev1.Service:
		return true
	}
	return false
}

func nameOf(step Step) string {
	if obj, ok := step.Object.(metav1.Object); ok {
		return obj.GetName()
	}
	return ""
}
