// Package policy is the release policy kept with an application: a
// versioned document (kind ReleasePolicy) holding what the flags of a
// progressive release hold, read from a file, the workload's annotation or
// a ConfigMap of its namespace, merged field by field under the flags typed.
// It is pure: parsing, validation, merging and rendering, no API calls.
package policy

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The document's version and kind.
const (
	APIVersion = "kubectl-ship.dev/v1alpha1"
	Kind       = "ReleasePolicy"
)

// Where a policy lives in the cluster.
const (
	// Annotation, on the release's Deployment, holds its own policy: the
	// manifest in Git carries it, and kubectl-ship never writes it.
	Annotation = "kubectl-ship.dev/policy"
	// DefaultsAnnotation, on the release's Deployment, names a ConfigMap of
	// its namespace whose key DefaultsKey holds the team's policy, beneath
	// the Deployment's own.
	DefaultsAnnotation = "kubectl-ship.dev/policy-defaults"
	DefaultsKey        = "policy.yaml"
)

// Policy is a ReleasePolicy document.
type Policy struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        Metadata `json:"metadata,omitempty"`
	Spec            Spec     `json:"spec"`
}

// Metadata names the policy; the name is for people.
type Metadata struct {
	Name string `json:"name,omitempty"`
}

// Spec is what a release follows. Every field is optional: one left out
// comes from a policy beneath, or the flag's default. Durations are Go
// durations ("90s", "10m"). Each field but strategy and notify is the flag
// of the same name; lists replace the lists beneath them whole.
type Spec struct {
	Strategy *string `json:"strategy,omitempty"`

	Steps     []intstr.IntOrString `json:"steps,omitempty"`
	Interval  *string              `json:"interval,omitempty"`
	NoPromote *bool                `json:"noPromote,omitempty"`

	CheckEvery        *string  `json:"checkEvery,omitempty"`
	ReadyGrace        *string  `json:"readyGrace,omitempty"`
	FailureLimit      *int     `json:"failureLimit,omitempty"`
	InconclusiveLimit *int     `json:"inconclusiveLimit,omitempty"`
	Prometheus        *string  `json:"prometheus,omitempty"`
	Analyses          []string `json:"analyses,omitempty"`
	Webhooks          []string `json:"webhooks,omitempty"`
	VerifyFor         *string  `json:"verifyFor,omitempty"`

	Route         *string `json:"route,omitempty"`
	WeightTotal   *int32  `json:"weightTotal,omitempty"`
	Header        *string `json:"header,omitempty"`
	Cookie        *string `json:"cookie,omitempty"`
	Sticky        *bool   `json:"sticky,omitempty"`
	StickySeconds *int32  `json:"stickySeconds,omitempty"`
	Exact         *bool   `json:"exact,omitempty"`

	Waves     [][]string `json:"waves,omitempty"`
	Soak      *string    `json:"soak,omitempty"`
	OnFailure *string    `json:"onFailure,omitempty"`

	ScaleDownDelay *string `json:"scaleDownDelay,omitempty"`

	Notify []Notify `json:"notify,omitempty"`
}

// The strategies a policy may name.
const (
	Canary    = "canary"
	BlueGreen = "blueGreen"
)

// Notify is one place notifications go: a Slack-compatible incoming
// webhook or a CloudEvents receiver, whose URL is a secret kept in a
// Secret of the namespace or an environment variable, never in the policy.
type Notify struct {
	// Name tells the receivers apart in warnings; default: FORMAT-N.
	Name   string `json:"name,omitempty"`
	Format string `json:"format"`
	// URLFrom is where the receiver's URL is read at run time.
	URLFrom URLSource `json:"urlFrom"`
	// Events are the events sent there; all of them when left out.
	Events []string `json:"events,omitempty"`
}

// The notification formats.
const (
	FormatSlack       = "slack"
	FormatCloudEvents = "cloudevents"
)

// URLSource is where a receiver's URL is read: one of a Secret's key,
// read with the user's own credentials, or an environment variable of the
// process that sends.
type URLSource struct {
	SecretKeyRef *SecretKeyRef `json:"secretKeyRef,omitempty"`
	Env          string        `json:"env,omitempty"`
}

// SecretKeyRef is a key of a Secret in the release's namespace.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// New is a policy document holding spec.
func New(name string, spec Spec) *Policy {
	return &Policy{TypeMeta: metav1.TypeMeta{APIVersion: APIVersion, Kind: Kind}, Metadata: Metadata{Name: name}, Spec: spec}
}

// DeepCopyObject makes a Policy printable by cli-runtime's printers.
func (p *Policy) DeepCopyObject() runtime.Object {
	raw, _ := json.Marshal(p)
	out := &Policy{}
	_ = json.Unmarshal(raw, out)
	return out
}
