// Package release is kubectl-ship's read model: what a release is (a stable
// Deployment, its canary, the Services routing to them), built from objects
// already fetched, with no API calls.
package release

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels and annotations kubectl-ship writes. They are the only state ship
// keeps: a re-run reads them back to continue where an interrupted run stopped.
const (
	prefix = "kubectl-ship.dev/"

	// LabelRelease, on an object ship created, names the stable Deployment
	// of its release: the name itself, or for a name too long for a label
	// value a bounded form of it, with the name in AnnotationRelease.
	LabelRelease = prefix + "release"
	// AnnotationRelease holds the release's name where LabelRelease cannot.
	AnnotationRelease = prefix + "release"
	// LabelRole, beside LabelRelease, says what the Deployment is: RoleCanary
	// or RoleGreen.
	LabelRole = prefix + "role"
	// LabelColor tells a green Deployment's pods from blue's; it is also the
	// color a Service routes to when the pods carry no version label.
	LabelColor = prefix + "color"
	// AnnotationColorKey, on a green Deployment, names the pod label whose
	// value the Services' selectors switch between the colors.
	AnnotationColorKey = prefix + "color-key"
	// AnnotationNewColor, on a green Deployment, is the color the last
	// bluegreen brought up: where bluegreen-switch goes by default, so
	// running it again after an interruption finishes the switch instead of
	// switching back.
	AnnotationNewColor = prefix + "new-color"
	// AnnotationWeight records the canary weight the user asked for.
	AnnotationWeight = prefix + "weight"
	// AnnotationOperation, on a release's lock, names the operation that
	// holds it ("kubectl ship promote ctwoc").
	AnnotationOperation = prefix + "operation"
	// AnnotationVerb and AnnotationUser, beside AnnotationOperation, are
	// the verb of the operation holding the lock and who runs it.
	AnnotationVerb = prefix + "verb"
	AnnotationUser = prefix + "user"
	// AnnotationStaying, on a release's lock, says until when its operation
	// only stays (a delay, a hold between steps): another command on the
	// release may then ask it to stop by setting AnnotationPreempt.
	AnnotationStaying = prefix + "staying-until"
	AnnotationPreempt = prefix + "preempted-by"
	// AnnotationProgression, on a release's lock, keeps the progression of
	// its canary (canary --steps): see Progression.
	AnnotationProgression = prefix + "progression"
	// AnnotationHistory, on a release's lock, records the operations run on
	// the release, bounded.
	AnnotationHistory = prefix + "history"
	// AnnotationSavedAffinity, on a Service made sticky for a canary, holds
	// the session affinity to restore when the canary ends.
	AnnotationSavedAffinity = prefix + "saved-affinity"
	// AnnotationRoute, on a Service ship made for a route, names the route
	// the release runs through (RouteRef); AnnotationRouteRules holds that
	// HTTPRoute's rules as they were before ship changed them, to restore.
	AnnotationRoute      = prefix + "route"
	AnnotationRouteRules = prefix + "route-rules"

	// RoleCanary marks a canary Deployment, RoleGreen the green one of a
	// blue-green release.
	RoleCanary = "canary"
	RoleGreen  = "green"
	// RolePreview marks the Service ship made to route to the idle color.
	RolePreview = "preview"
	// RoleStable is the role of a release's own Deployment beside a canary
	// or alone (in blue-green it is blue), and marks the Service ship made,
	// for a route, to select only the stable pods; RoleCanary and RoleGreen
	// on a Service, the canary's or green's pods.
	RoleStable = "stable"

	// TrackLabel tells a canary's pods from the stable ones when the stable
	// Deployment has no label of its own to vary, as in the usual layout
	// (track: stable / track: canary).
	TrackLabel = "track"
)

// maxLabelValue is the longest label value the API server accepts.
const maxLabelValue = 63

// labelValue is the value of LabelRelease for release name: the name when
// it fits in a label value, else its first characters and a hash of it,
// still unique and still at most 63 characters.
func labelValue(name string) string {
	if len(name) <= maxLabelValue {
		return name
	}
	return bounded(name, maxLabelValue)
}

// bounded shortens s to at most limit characters, ending in a hash of the
// whole so that two long names stay apart; it keeps s's first characters,
// so people can still tell what it was.
func bounded(s string, limit int) string {
	sum := sha256.Sum256([]byte(s))
	hash := hex.EncodeToString(sum[:])[:10]
	head := strings.TrimRight(s[:limit-len(hash)-1], "-_.")
	return head + "-" + hash
}

// OwnedBy returns the labels and annotations that mark an object as ship's,
// made for release name in role ("" for no role).
func OwnedBy(name, role string) (labels, annotations map[string]string) {
	labels, annotations = map[string]string{LabelRelease: labelValue(name)}, map[string]string{}
	if role != "" {
		labels[LabelRole] = role
	}
	if labelValue(name) != name {
		annotations[AnnotationRelease] = name
	}
	return labels, annotations
}

// OwnerOf returns the release an object was made for by ship, and whether
// ship made it.
func OwnerOf(obj metav1.Object) (string, bool) {
	value, ok := obj.GetLabels()[LabelRelease]
	if name := obj.GetAnnotations()[AnnotationRelease]; ok && name != "" {
		return name, true
	}
	return value, ok
}

// LockName is the name of the Lease that serializes the operations on
// release name and keeps their record.
func LockName(name string) string { return derived("kubectl-ship-", name, "") }

// CanaryName is the name of the canary Deployment of release name.
func CanaryName(name string) string { return name + "-canary" }

// CanaryLabelValue is the canary's name as a label value: what a canary's
// pods carry in place of the application label its Service selects, when
// nothing else tells them from the stable ones (bounded like LabelRelease).
func CanaryLabelValue(name string) string { return labelValue(CanaryName(name)) }

// StableServiceName is the name of the Service ship makes, for a route, to
// select only the stable pods of release name; the canary's is CanaryName.
func StableServiceName(name string) string { return name + "-stable" }

// GreenName is the name of the green Deployment of release name; blue is the
// release's own Deployment.
func GreenName(name string) string { return name + "-green" }

// PreviewName is the name ship gives the Service that routes to the idle
// color, unless told another.
func PreviewName(name string) string { return name + "-preview" }

// maxName is the longest name of most objects (a DNS subdomain).
const maxName = 253

// derived joins prefix, name and suffix into an object name, bounded like a
// label value when it would be too long.
func derived(prefix, name, suffix string) string {
	full := prefix + name + suffix
	if len(full) <= maxName {
		return full
	}
	return bounded(full, maxName)
}
