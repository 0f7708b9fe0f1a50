// Package notify tells people where they work what a release does: an
// Event rendered as a Slack-compatible incoming-webhook message or a
// CloudEvents 1.0 structured event, posted to receivers whose URLs are
// secrets, concurrently and within a timeout, so that a receiver that is
// down never fails or slows a release.
package notify

import "time"

// Type is what happened to a release.
type Type string

// The events, in the order a release meets them. Their CloudEvents type is
// "dev.kubectl-ship.release." followed by the name.
const (
	Started     Type = "started"
	StepReached Type = "stepReached"
	Paused      Type = "paused"
	Approved    Type = "approved"
	Rejected    Type = "rejected"
	Promoted    Type = "promoted"
	RolledBack  Type = "rolledBack"
	Failed      Type = "failed"
	Interrupted Type = "interrupted"
)

// Types are every event, in order.
var Types = []Type{Started, StepReached, Paused, Approved, Rejected, Promoted, RolledBack, Failed, Interrupted}

// Known reports whether name is an event's name.
func Known(name string) bool {
	for _, t := range Types {
		if string(t) == name {
			return true
		}
	}
	return false
}

// Event is one moment of a release, with what a person needs to act on it.
type Event struct {
	Type Type      `json:"type"`
	Time time.Time `json:"time"`
	// Context is the kubeconfig context, Cluster its cluster's name.
	Context   string `json:"context"`
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Release   string `json:"release"`
	// Images are the new images, [CONTAINER=]IMAGE.
	Images []string `json:"images,omitempty"`
	// Weight is the canary's share at Step (from 1) of Steps.
	Weight int32 `json:"weight"`
	Step   int   `json:"step,omitempty"`
	Steps  int   `json:"steps,omitempty"`
	// User is who acted: the Kubernetes identity the API server
	// authenticated (the runner, or the approver).
	User string `json:"user,omitempty"`
	// Reason says why: the failing gate, the approval's reason.
	Reason string `json:"reason,omitempty"`
	// Continue and Rollback are the commands that go on or roll back.
	Continue string `json:"continue,omitempty"`
	Rollback string `json:"rollback,omitempty"`
	// Wave places the cluster in a run across contexts: wave Wave of Waves.
	Wave  int `json:"wave,omitempty"`
	Waves int `json:"waves,omitempty"`
}
