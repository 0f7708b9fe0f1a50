package release

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The annotations the Deployment controller and kubectl keep on a Deployment
// and its ReplicaSets: the revisions and change causes of 'kubectl rollout
// history'.
const (
	RevisionAnnotation    = "deployment.kubernetes.io/revision"
	ChangeCauseAnnotation = "kubernetes.io/change-cause"
)

// History is what `kubectl ship history` shows: the revisions of the stable
// Deployment or of the StatefulSet, as kubectl rollout history knows them,
// beside what ship did.
type History struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Revisions         []Revision  `json:"revisions"`
	Operations        []Operation `json:"operations"`
	// RecordError says why the record of operations could not be read at
	// all; it is kept as it is. KeptRecords are the lock's annotations that
	// keep earlier records which could not be read.
	RecordError string   `json:"recordError,omitempty"`
	KeptRecords []string `json:"keptRecords,omitempty"`
}

// Revision is one ReplicaSet generation of the stable Deployment, or one
// ControllerRevision of a StatefulSet.
type Revision struct {
	Revision int64       `json:"revision"`
	Created  metav1.Time `json:"created"`
	// Images are those of every container, as in a release's status.
	Images      []string    `json:"images"`
	Containers  []Container `json:"containers"`
	ChangeCause string      `json:"changeCause,omitempty"`
	Current     bool        `json:"current,omitempty"`
	// Update marks a StatefulSet's update revision while it is not the
	// current one (the revision of the pods at and above the partition),
	// or the revision of a DaemonSet's canary nodes.
	Update bool `json:"update,omitempty"`
}

// DeepCopyObject makes History printable by cli-runtime's printers.
func (h *History) DeepCopyObject() runtime.Object {
	raw, _ := json.Marshal(h)
	out := &History{}
	_ = json.Unmarshal(raw, out)
	return out
}

// NewHistory joins the revisions of d, from the ReplicaSets it owns, with
// the operations of its record (the annotations of its lock), each sorted
// by time.
func NewHistory(d *appsv1.Deployment, replicaSets []appsv1.ReplicaSet, lock map[string]string) *History {
	h := newHistory(d.Name, d.Namespace, lock)
	current := d.Annotations[RevisionAnnotation]
	for _, rs := range replicaSets {
		number, err := strconv.ParseInt(rs.Annotations[RevisionAnnotation], 10, 64)
		if err != nil {
			continue
		}
		rev := Revision{Revision: number, Created: rs.CreationTimestamp, ChangeCause: rs.Annotations[ChangeCauseAnnotation],
			Current: rs.Annotations[RevisionAnnotation] == current}
		rev.Containers = Containers(&rs.Spec.Template.Spec)
		rev.Images = Images(rev.Containers)
		h.Revisions = append(h.Revisions, rev)
	}
	sortRevisions(h.Revisions)
	return h
}

// newHistory is the history of release name with no revisions yet: the
// operations of its record, and what of the record could not be read.
func newHistory(name, namespace string, lock map[string]string) *History {
	record := lock[AnnotationHistory]
	h := &History{
		TypeMeta:   metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseHistory"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Revisions:  []Revision{},
		Operations: ParseOperations(record),
	}
	if err := RecordError(record); err != nil {
		h.RecordError = err.Error()
	}
	for k := range lock {
		if strings.HasPrefix(k, AnnotationUnreadableHistory) {
			h.KeptRecords = append(h.KeptRecords, k)
		}
	}
	sort.Strings(h.KeptRecords)
	if h.Operations == nil {
		h.Operations = []Operation{}
	}
	return h
}

func sortRevisions(revisions []Revision) {
	sort.Slice(revisions, func(i, j int) bool { return revisions[i].Revision < revisions[j].Revision })
}
