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

// AppendOperation adds op to the record raw (the JSON of an annotation),
// dropping the oldest beyond the bound.
func AppendOperation(raw string, op Operation) (string, error) {
	ops := ParseOperations(raw)
	op.Command = BoundCommand(op.Command)
	if op.Fleet != nil {
		fleet := *op.Fleet
		fleet.Command = BoundCommand(fleet.Command)
		op.Fleet = &fleet
	}
	ops = append(ops, op)
	if len(ops) > maxHistory {
		ops = ops[len(ops)-maxHistory:]
	}
	out, err := json.Marshal(ops)
	return string(out), err
}

// ParseOperations reads a record; an unreadable one reads as empty, since
// history is for people and must not stop a release.
func ParseOperations(raw string) []Operation {
	var ops []Operation
	_ = json.Unmarshal([]byte(raw), &ops)
	return ops
}

// History is what `kubectl ship history` shows: the revisions of the stable
// Deployment, as kubectl rollout history knows them, beside what ship did.
type History struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Revisions         []Revision  `json:"revisions"`
	Operations        []Operation `json:"operations"`
}

// Revision is one ReplicaSet generation of the stable Deployment.
type Revision struct {
	Revision int64       `json:"revision"`
	Created  metav1.Time `json:"created"`
	// Images are those of every container, as in a release's status.
	Images      []string    `json:"images"`
	Containers  []Container `json:"containers"`
	ChangeCause string      `json:"changeCause,omitempty"`
	Current     bool        `json:"current,omitempty"`
}

// DeepCopyObject makes History printable by cli-runtime's printers.
func (h *History) DeepCopyObject() runtime.Object {
	raw, _ := json.Marshal(h)
	out := &History{}
	_ = json.Unmarshal(raw, out)
	return out
}

// NewHistory joins the revisions of d, from the ReplicaSets it owns, with
// the operations of its record, each sorted by time.
func NewHistory(d *appsv1.Deployment, replicaSets []appsv1.ReplicaSet, record string) *History {
	h := &History{
		TypeMeta:   metav1.TypeMeta{APIVersion: StatusAPIVersion, Kind: "ReleaseHistory"},
		ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: d.Namespace},
		Revisions:  []Revision{},
		Operations: ParseOperations(record),
	}
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
	sort.Slice(h.Revisions, func(i, j int) bool { return h.Revisions[i].Revision < h.Revisions[j].Revision })
	if h.Operations == nil {
		h.Operations = []Operation{}
	}
	return h
}
