package strategy

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// track is the label that tells a canary's pods from the stable ones.
type track struct {
	key, canaryValue string
	// selector is the canary Deployment's selector.
	selector *metav1.LabelSelector
	// note warns when the stable selector still matches the canary's pods.
	note string
}

// canaryTrack chooses the label to vary. Best is a key the stable selector
// requires and the Service ignores (track: stable): then neither selector
// matches the other's pods. Otherwise the canary gets track: canary, which
// keeps its selector off the stable pods; the stable selector, immutable,
// still matches the canary's pods, and only owner references keep the two
// Deployments apart.
func canaryTrack(stable *appsv1.Deployment, svc *corev1.Service) (track, error) {
	sel := stable.Spec.Selector
	if sel == nil || len(sel.MatchExpressions) > 0 {
		return track{}, fmt.Errorf("deployment %s's selector uses matchExpressions, which kubectl-ship cannot narrow for a canary", stable.Name)
	}
	var free []string
	for k := range sel.MatchLabels {
		if _, routed := svc.Spec.Selector[k]; !routed {
			free = append(free, k)
		}
	}
	sort.Slice(free, func(i, j int) bool {
		return free[i] == release.TrackLabel || (free[j] != release.TrackLabel && free[i] < free[j])
	})
	if len(free) > 0 {
		key := free[0]
		value := sel.MatchLabels[key] + "-canary"
		if key == release.TrackLabel {
			value = release.RoleCanary
		}
		return track{key: key, canaryValue: value, selector: withLabel(sel, key, value)}, nil
	}
	if _, routed := svc.Spec.Selector[release.TrackLabel]; routed {
		return track{}, fmt.Errorf("service %s selects on %q and deployment %s's selector (%s) has no other label to tell a canary's pods apart: add one (such as %s: stable) to the Deployment's selector and pod template",
			svc.Name, release.TrackLabel, stable.Name, metav1.FormatLabelSelector(sel), release.TrackLabel)
	}
	return track{
		key: release.TrackLabel, canaryValue: release.RoleCanary,
		selector: withLabel(sel, release.TrackLabel, release.RoleCanary),
		note: fmt.Sprintf("note: deployment %s's selector %s also matches the canary's pods; owner references keep each Deployment to its own pods, but anything selecting %s (an HPA, kubectl get -l) counts both",
			stable.Name, labels.Set(sel.MatchLabels), labels.Set(sel.MatchLabels)),
	}, nil
}

func withLabel(sel *metav1.LabelSelector, key, value string) *metav1.LabelSelector {
	out := sel.DeepCopy()
	out.MatchLabels[key] = value
	return out
}
