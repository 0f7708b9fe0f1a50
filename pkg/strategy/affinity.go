package strategy

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

const affinityCaveat = "note: session affinity pins a client IP to a pod through kube-proxy, not to a version; ingress controllers that route to endpoints directly ignore it"

// savedAffinity is the Service's own session affinity, kept in an annotation
// while a canary makes it sticky, so it can be restored exactly.
type savedAffinity struct {
	SessionAffinity corev1.ServiceAffinity        `json:"sessionAffinity"`
	Config          *corev1.SessionAffinityConfig `json:"sessionAffinityConfig,omitempty"`
}

// stickyStep makes svc pin clients by IP, first saving its own setting. A
// setting saved by an earlier run is kept: it is the one to restore.
func stickyStep(svc *corev1.Service, seconds int32) (*plans.Step, error) {
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil, fmt.Errorf("service %s is headless (clusterIP: None): its clients reach the pods directly, so session affinity would do nothing; drop --sticky", svc.Name)
	}
	next := svc.DeepCopy()
	if _, saved := svc.Annotations[release.AnnotationSavedAffinity]; !saved {
		raw, err := json.Marshal(savedAffinity{SessionAffinity: svc.Spec.SessionAffinity, Config: svc.Spec.SessionAffinityConfig})
		if err != nil {
			return nil, err
		}
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[release.AnnotationSavedAffinity] = string(raw)
	}
	switch {
	case seconds > 0:
		next.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &seconds}}
	case svc.Spec.SessionAffinity != corev1.ServiceAffinityClientIP:
		// The API server fills in its default timeout.
		next.Spec.SessionAffinityConfig = nil
	}
	next.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
	return plans.PatchStep(svc, next, corev1.Service{}, "configured", "pin each client IP to the pods it first reached")
}

// restoreStep gives svc back the session affinity saved by stickyStep, or
// returns nil when there is nothing to restore.
func restoreStep(svc *corev1.Service) (*plans.Step, error) {
	raw, ok := svc.Annotations[release.AnnotationSavedAffinity]
	if !ok {
		return nil, nil
	}
	var saved savedAffinity
	if err := json.Unmarshal([]byte(raw), &saved); err != nil {
		return nil, fmt.Errorf("service %s: annotation %s is not readable (%v): set its sessionAffinity by hand and remove the annotation",
			svc.Name, release.AnnotationSavedAffinity, err)
	}
	next := svc.DeepCopy()
	next.Spec.SessionAffinity = saved.SessionAffinity
	next.Spec.SessionAffinityConfig = saved.Config
	delete(next.Annotations, release.AnnotationSavedAffinity)
	return plans.PatchStep(svc, next, corev1.Service{}, "configured", "restore the session affinity it had before the canary")
}
