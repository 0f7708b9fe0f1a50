package strategy

import (
	"fmt"
	"maps"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// track is the label that tells a canary's pods from the stable ones.
type track struct {
	key, canaryValue string
	// apart, when set, are labels of the Service's selector that the
	// canary's pods carry with other values (app: web-canary), so that the
	// Service leaves them out: a route's canary on pods labelled only app.
	apart map[string]string
	// selector is the canary Deployment's selector.
	selector *metav1.LabelSelector
	// note warns when the stable selector still matches the canary's pods,
	// or of what a canary apart costs.
	note string
}

// podLabels are the labels of the canary's pods: the stable pods' with
// the track's.
func (tr track) podLabels(stable map[string]string) map[string]string {
	out := make(map[string]string, len(stable)+1+len(tr.apart))
	maps.Copy(out, stable)
	maps.Copy(out, tr.apart)
	out[tr.key] = tr.canaryValue
	return out
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
		return track{}, trackRefusal(stable, svc)
	}
	return track{
		key: release.TrackLabel, canaryValue: release.RoleCanary,
		selector: withLabel(sel, release.TrackLabel, release.RoleCanary), note: overlapNote(stable),
	}, nil
}

func withLabel(sel *metav1.LabelSelector, key, value string) *metav1.LabelSelector {
	out := sel.DeepCopy()
	out.MatchLabels[key] = value
	return out
}

// trackRefusal says why a canary of stable cannot share svc's traffic
// by its pods, and what to do: advice that fits what the Deployment's
// selector already holds (the seed's has no track; another's may).
func trackRefusal(stable *appsv1.Deployment, svc *corev1.Service) error {
	sel := stable.Spec.Selector
	if _, has := sel.MatchLabels[release.TrackLabel]; !has {
		return fmt.Errorf("service %s selects on %q and deployment %s's selector (%s) has no other label to tell a canary's pods apart: add one (such as %s: stable) to the Deployment's selector and pod template",
			svc.Name, release.TrackLabel, stable.Name, metav1.FormatLabelSelector(sel), release.TrackLabel)
	}
	return fmt.Errorf("service %s selects on every label of deployment %s's selector (%s), so the pods of a canary would be either left out by the Service or taken by the Deployment: run the canary through a route (--route httproute/NAME or ingress/NAME), which needs no other label, or give the Deployment's selector and pod template a label the Service does not select on",
		svc.Name, stable.Name, metav1.FormatLabelSelector(sel))
}
