package release

import (
	"encoding/json"
	"fmt"
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

// maxHistory bounds the operations a release's record keeps: annotations
// share a 256 KiB budget per object.
const maxHistory = 30

// Operation is one kubectl-ship command run on a release, as its record
// keeps it.
type Operation struct {
	Time metav1.Time `json:"time"`
	// Verb is the planner's verb ("promote"): a later run of the same verb
	// that finds nothing left to do knows from it that this one did it.
	Verb    string `json:"verb,omitempty"`
	Command string `json:"command"`
	// User is who ran it: the Kubernetes identity the API server
	// authenticated; From the local account and host it ran from.
	User string `json:"user,omitempty"`
	From string `json:"from,omitempty"`
	// Changes are the result lines of its writes ("deployment.apps/web-canary created").
	Changes []string `json:"changes,omitempty"`
	// Error is why it stopped, when it did not finish.
	Error string `json:"error,omitempty"`
	// Warnings are what went wrong beside it: a notification that could
	// not be delivered.
	Warnings []string `json:"warnings,omitempty"`
	// Interrupted marks an operation whose process died: a later command
	// found its lock and freed it. What it changed is not recorded.
	Interrupted bool `json:"interrupted,omitempty"`
	// Fleet is set when the operation was one cluster's part of a command
	// run across kubeconfig contexts.
	Fleet *FleetStep `json:"fleet,omitempty"`
	// Unreadable is set, in place of the rest, on an entry of the record
	// that could not be read: why, and the entry as written (the record
	// keeps it as it is).
	Unreadable string `json:"unreadable,omitempty"`
}

// FleetStep places an operation in a fleet run: the wave its cluster was
// in, and, when the operation's own command is another one (the rollback
// of a cluster that failed), the fleet's command.
type FleetStep struct {
	Wave    int    `json:"wave"`
	Waves   int    `json:"waves"`
	Command string `json:"command,omitempty"`
}

// maxCommand bounds each command a record keeps: a fleet's command names
// its contexts, which may be many.
const maxCommand = 1024

// BoundCommand is a command as a record keeps it: at most maxCommand bytes,
// cut with "..." past that. Comparing a command with a recorded one goes
// through it.
func BoundCommand(command string) string {
	if len(command) <= maxCommand {
		return command
	}
	return strings.ToValidUTF8(command[:maxCommand-3], "") + "..."
}

// LastOperation returns the newest operation of a record, and false when
// the record is empty.
func LastOperation(raw string) (Operation, bool) {
	ops := ParseOperations(raw)
	if len(ops) == 0 {
		return Operation{}, false
	}
	return ops[len(ops)-1], true
}

// AnnotationUnreadableHistory is where a release's lock keeps a record
// that could not be read, as it was, when a command started a new one.
const AnnotationUnreadableHistory = AnnotationHistory + "-unreadable"

// AppendOperation adds op to the record raw (the JSON of an annotation),
// dropping the oldest beyond the bound. Entries it cannot read are kept as
// written. A record that is no list at all is never written over: it is
// returned as kept, for the caller to keep beside the new record.
func AppendOperation(raw string, op Operation) (record, kept string, err error) {
	entries, err := readRecord(raw)
	if err != nil {
		entries, kept = nil, raw
	}
	op.Command = BoundCommand(op.Command)
	if op.Fleet != nil {
		fleet := *op.Fleet
		fleet.Command = BoundCommand(fleet.Command)
		op.Fleet = &fleet
	}
	entry, err := json.Marshal(op)
	if err != nil {
		return "", "", err
	}
	entries = append(entries, entry)
	if len(entries) > maxHistory {
		entries = entries[len(entries)-maxHistory:]
	}
	out, err := json.Marshal(entries)
	return string(out), kept, err
}

// readRecord splits a record into its entries, each as written.
func readRecord(raw string) ([]json.RawMessage, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// RecordError says why a record cannot be read at all; nil when it can.
func RecordError(raw string) error {
	_, err := readRecord(raw)
	return err
}

// ParseOperations reads a record: an entry that cannot be read (a time
// that is no time) is an Operation saying so, in its place, and the others
// read as they are; a record that is no list reads as none (RecordError
// says why), since history is for people and must not stop a release.
func ParseOperations(raw string) []Operation {
	entries, err := readRecord(raw)
	if err != nil {
		return nil
	}
	ops := make([]Operation, 0, len(entries))
	for _, e := range entries {
		var op Operation
		if err := json.Unmarshal(e, &op); err != nil {
			op = Operation{Unreadable: fmt.Sprintf("%v: %s", err, e)}
		}
		ops = append(ops, op)
	}
	return ops
}

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

// KeepUnreadable keeps raw, a record that could not be read, among a lock's
// annotations: under AnnotationUnreadableHistory, or with a number after
// it when that one is taken.
func KeepUnreadable(annotations map[string]string, raw string) {
	key := AnnotationUnreadableHistory
	for i := 2; annotations[key] != "" && annotations[key] != raw; i++ {
		key = fmt.Sprintf("%s-%d", AnnotationUnreadableHistory, i)
	}
	annotations[key] = raw
}
