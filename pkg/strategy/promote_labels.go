package strategy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// promotedTemplate is the canary's pod template under the stable pods'
// labels: the stable selector, which cannot change, and every Service must
// still pick the promoted pods, and a track label must not follow the
// canary's (track: canary). A version label that neither selects on takes
// the canary's value, so the stable pods say which version they now run:
// the walkthrough's canary carries version: 2.0.0.
func promotedTemplate(rel *release.Release) corev1.PodTemplateSpec {
	stable, canary := rel.Stable, rel.Canary
	template := *canary.Spec.Template.DeepCopy()
	template.Labels = make(map[string]string, len(stable.Spec.Template.Labels))
	for k, v := range stable.Spec.Template.Labels {
		template.Labels[k] = v
	}
	for _, k := range versionLabels {
		v, ok := canary.Spec.Template.Labels[k]
		if _, has := template.Labels[k]; ok && has && pinnedBy(rel, k) == "" {
			template.Labels[k] = v
		}
	}
	return template
}

// pinnedBy names what holds the stable pods' label key to its value: the
// stable Deployment's selector, or a Service of the release; "" for none.
func pinnedBy(rel *release.Release, key string) string {
	if _, ok := rel.Stable.Spec.Selector.MatchLabels[key]; ok {
		return fmt.Sprintf("deployment %s's selector", rel.Stable.Name)
	}
	for _, svc := range rel.Services {
		if _, ok := svc.Spec.Selector[key]; ok {
			return fmt.Sprintf("service %s's selector", svc.Name)
		}
	}
	return ""
}

// pinnedNotes say, before a promotion, which version label of the stable
// pods keeps its value although they will run the canary's template: the
// walkthrough's stable selector holds version: 1.0.0, and a selector
// cannot change.
func pinnedNotes(rel *release.Release) []string {
	var notes []string
	for _, k := range versionLabels {
		v, ok := rel.Canary.Spec.Template.Labels[k]
		old, has := rel.Stable.Spec.Template.Labels[k]
		if !ok || !has || v == old {
			continue
		}
		if by := pinnedBy(rel, k); by != "" {
			notes = append(notes, fmt.Sprintf("note: %s holds the stable pods' %s=%s, so they keep that label while they run the canary's template (%s=%s on the canary)",
				by, k, old, k, v))
		}
	}
	return notes
}
