// Package release is kubectl-ship's read model: what a release is (a stable
// Deployment, its canary, the Services routing to them), built from objects
// already fetched, with no API calls.
package release

// Labels and annotations kubectl-ship writes. They are the only state ship
// keeps: a re-run reads them back to continue where an interrupted run stopped.
const (
	prefix = "kubectl-ship.dev/"

	// LabelRelease, on a Deployment ship created, names the stable Deployment
	// of its release.
	LabelRelease = prefix + "release"
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
	// AnnotationHistory, on a release's lock, records the operations run on
	// the release, bounded.
	AnnotationHistory = prefix + "history"
	// AnnotationSavedAffinity, on a Service made sticky for a canary, holds
	// the session affinity to restore when the canary ends.
	AnnotationSavedAffinity = prefix + "saved-affinity"

	// RoleCanary marks a canary Deployment, RoleGreen the green one of a
	// blue-green release.
	RoleCanary = "canary"
	RoleGreen  = "green"

	// TrackLabel tells a canary's pods from the stable ones when the stable
	// Deployment has no label of its own to vary, as in the usual layout
	// (track: stable / track: canary).
	TrackLabel = "track"
)

// LockName is the name of the Lease that serializes the operations on
// release name and keeps their record.
func LockName(name string) string { return "kubectl-ship-" + name }

// CanaryName is the name of the canary Deployment of release name.
func CanaryName(name string) string { return name + "-canary" }

// GreenName is the name of the green Deployment of release name; blue is the
// release's own Deployment.
func GreenName(name string) string { return name + "-green" }

// PreviewName is the name of the Service that routes to the idle color.
func PreviewName(name string) string { return name + "-preview" }
