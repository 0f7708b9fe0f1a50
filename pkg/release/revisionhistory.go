package release

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// NewStatefulHistory joins the revisions of sts, from the
// ControllerRevisions it owns (what 'kubectl rollout history
// statefulset/NAME' lists), with the operations of its record, each sorted
// by time. The current revision is marked, and so is the update revision
// while a partition holds the pods below it on the current one.
func NewStatefulHistory(sts *appsv1.StatefulSet, revisions []appsv1.ControllerRevision, lock map[string]string) *History {
	return revisionHistory(sts.Name, sts.Namespace, revisions, lock, func(cr *appsv1.ControllerRevision) (current, update bool) {
		return cr.Name == sts.Status.CurrentRevision, cr.Name == sts.Status.UpdateRevision && cr.Name != sts.Status.CurrentRevision
	})
}

// NewDaemonHistory joins the revisions of ds, from the ControllerRevisions
// it owns (what 'kubectl rollout history daemonset/NAME' lists), with the
// operations of its record. The controller gives the revision of ds's
// template the highest number: that one is current, but while ship's
// canary runs it is the canary's (marked update) and the revision the other
// nodes keep, the record's, is current.
func NewDaemonHistory(ds *appsv1.DaemonSet, revisions []appsv1.ControllerRevision, lock map[string]string) *History {
	var latest int64
	for _, cr := range revisions {
		latest = max(latest, cr.Revision)
	}
	rec, _ := DaemonCanary(ds) // unreadable, no canary is marked: status says why
	return revisionHistory(ds.Name, ds.Namespace, revisions, lock, func(cr *appsv1.ControllerRevision) (current, update bool) {
		if rec == nil {
			return cr.Revision == latest, false
		}
		stable := cr.Labels[LabelRevision] == rec.StableRevision
		return stable, cr.Revision == latest && !stable
	})
}

// revisionHistory is the history of a workload whose revisions are
// ControllerRevisions, each marked by mark.
func revisionHistory(name, namespace string, revisions []appsv1.ControllerRevision, lock map[string]string,
	mark func(*appsv1.ControllerRevision) (current, update bool)) *History {
	h := newHistory(name, namespace, lock)
	for i := range revisions {
		cr := &revisions[i]
		rev := Revision{Revision: cr.Revision, Created: cr.CreationTimestamp, ChangeCause: cr.Annotations[ChangeCauseAnnotation]}
		rev.Current, rev.Update = mark(cr)
		// The revision's data is the workload's template as a patch; one
		// that cannot be read still has its number and time.
		var data struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		_ = json.Unmarshal(cr.Data.Raw, &data)
		rev.Containers = Containers(&data.Spec.Template.Spec)
		rev.Images = Images(rev.Containers)
		h.Revisions = append(h.Revisions, rev)
	}
	sortRevisions(h.Revisions)
	return h
}
