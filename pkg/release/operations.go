package release

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
