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
	h := newHistory(sts.Name, sts.Namespace, lock)
	for _, cr := range revisions {
		rev := Revision{Revision: cr.Revision, Created: cr.CreationTimestamp, ChangeCause: cr.Annotations[ChangeCauseAnnotation],
			Current: cr.Name == sts.Status.CurrentRevision,
			Update:  cr.Name == sts.Status.UpdateRevision && cr.Name != sts.Status.CurrentRevision}
		// The revision's data is the StatefulSet's template as a patch; one
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
