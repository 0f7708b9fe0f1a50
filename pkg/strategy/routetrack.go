package strategy

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// routedTrack chooses how the pods of a canary that runs through a route
// are told from the stable ones, so that every Service the route sends to
// selects one track only:
//   - a canary already there (ship's, or adopted) keeps its labels;
//   - a Service that selects track: stable leaves the canary's track:
//     canary pods out;
//   - stable pods that carry a label of their own (the seed's track:
//     stable) are selected by it in NAME-stable, a Service of ship's
//     (through an HTTPRoute: ingress-nginx sends the rest to the user's
//     Service, which cannot be pointed elsewhere);
//   - otherwise, as on pods labelled only app (the most common layout), the
//     canary's pods carry the Service's application label with a value of
//     their own (app: web-canary): the Service keeps selecting only the
//     stable pods, needs no restart of them, and no NAME-stable.
func routedTrack(rel *release.Release, svc *corev1.Service, ingress bool) (track, error) {
	stable := rel.Stable
	if c := rel.Canary; c != nil {
		if tr, ok := existingTrack(stable, c, svc); ok {
			return tr, nil
		}
	}
	sel := stable.Spec.Selector
	if sel == nil || len(sel.MatchExpressions) > 0 {
		return canaryTrack(stable, svc) // refused there
	}
	if value, ok := svc.Spec.Selector[release.TrackLabel]; ok && stable.Spec.Template.Labels[release.TrackLabel] == value {
		tr := track{key: release.TrackLabel, canaryValue: release.RoleCanary, selector: withLabel(sel, release.TrackLabel, release.RoleCanary)}
		if _, own := sel.MatchLabels[release.TrackLabel]; !own {
			tr.note = overlapNote(stable)
		}
		return tr, nil
	}
	if tr, err := canaryTrack(stable, svc); err == nil && !ingress {
		if _, carried := stable.Spec.Template.Labels[tr.key]; carried {
			return tr, nil
		}
	}
	return apartTrack(stable, svc)
}

// existingTrack is the track of the canary there: the label its pods
// differ in from the stable ones, one the Service selects on first (it then
// leaves them out), else track, else the first by name; false when its pods
// carry the stable ones' labels.
func existingTrack(stable, canary *appsv1.Deployment, svc *corev1.Service) (track, bool) {
	s, c := stable.Spec.Template.Labels, canary.Spec.Template.Labels
	differ := map[string]string{}
	var keys []string
	for k, v := range c {
		if w, ok := s[k]; !ok || w != v {
			differ[k] = v
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 || canary.Spec.Selector == nil {
		return track{}, false
	}
	rank := func(k string) int {
		_, selected := svc.Spec.Selector[k]
		switch {
		case selected:
			return 0
		case k == release.TrackLabel:
			return 1
		}
		return 2
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	key := keys[0]
	if _, carried := s[key]; !carried && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(c)) {
		return track{}, false // a canary of the share of the pods: nothing tells the stable ones apart
	}
	delete(differ, key)
	return track{key: key, canaryValue: c[key], apart: differ, selector: canary.Spec.Selector.DeepCopy()}, true
}

// apartTrack keeps the canary's pods out of svc: they carry the first of
// its selector's labels (an application label first) with the canary
// Deployment's name for value (what {{.Canary}} gives a query), and track:
// canary. The note says, before anything changes,
// what that costs: whatever selects the application label (NetworkPolicies,
// PodDisruptionBudgets, dashboards and queries) no longer sees them.
func apartTrack(stable *appsv1.Deployment, svc *corev1.Service) (track, error) {
	keys := make([]string, 0, len(svc.Spec.Selector))
	for k := range svc.Spec.Selector {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ai, aj := isAppKey(keys[i]), isAppKey(keys[j])
		return ai && !aj || ai == aj && keys[i] < keys[j]
	})
	if len(keys) == 0 {
		return track{}, fmt.Errorf("service %s selects no pods", svc.Name)
	}
	key := keys[0]
	value := release.CanaryLabelValue(stable.Name)
	selector := stable.Spec.Selector.DeepCopy()
	if _, ok := selector.MatchLabels[key]; ok {
		selector.MatchLabels[key] = value
	}
	selector.MatchLabels[release.TrackLabel] = release.RoleCanary
	tr := track{key: key, canaryValue: value, apart: map[string]string{release.TrackLabel: release.RoleCanary}, selector: selector}
	if key == release.TrackLabel {
		tr.apart = nil
	}
	field := ""
	if value == release.CanaryName(stable.Name) {
		field = " ({{.Canary}} in --analysis)"
	}
	tr.note = fmt.Sprintf("note: deployment %s's pods carry no label that tells them from a canary's, so the canary's pods carry %s=%s and %s=%s: service %s keeps selecting only the stable pods (its clients inside the cluster never reach the canary), nothing of deployment %s changes or restarts, and the route alone sends the canary its weight; whatever selects %s=%s (NetworkPolicies, PodDisruptionBudgets, monitors, --analysis queries) does not see the canary's pods: select them by %s=%s%s",
		stable.Name, key, value, release.TrackLabel, release.RoleCanary, svc.Name, stable.Name, key, svc.Spec.Selector[key], key, value, field)
	return tr, nil
}

func isAppKey(k string) bool { return k == "app" || k == "app.kubernetes.io/name" }

// overlapNote warns that the stable selector still matches the canary's
// pods.
func overlapNote(stable *appsv1.Deployment) string {
	sel := labels.Set(stable.Spec.Selector.MatchLabels)
	return fmt.Sprintf("note: deployment %s's selector %s also matches the canary's pods; owner references keep each Deployment to its own pods, but anything selecting %s (an HPA, kubectl get -l) counts both",
		stable.Name, sel, sel)
}
