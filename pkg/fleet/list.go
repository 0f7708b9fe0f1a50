package fleet

import (
	"bytes"
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// List is what a fleet read prints with -o json|yaml: the items of every
// cluster, in the order of the contexts, each with its context.
type List struct {
	metav1.TypeMeta `json:",inline"`
	Items           []Item `json:"items"`
}

// NewList returns an empty List of kind (ReleaseStatusList, ...), in the
// versioned schema of `status -o json`.
func NewList(kind string) *List {
	return &List{TypeMeta: metav1.TypeMeta{APIVersion: release.StatusAPIVersion, Kind: kind}, Items: []Item{}}
}

// Item is one object read from one cluster, or that cluster's error: its
// JSON is the object's with "context" first, or {"context", "error"}.
type Item struct {
	Context string
	Object  runtime.Object
	Err     error
}

// MarshalJSON puts the context before the object's own fields.
func (i Item) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(struct {
		Context string `json:"context"`
		Error   string `json:"error,omitempty"`
	}{i.Context, errorText(i.Err)})
	if err != nil || i.Object == nil {
		return head, err
	}
	body, err := json.Marshal(i.Object)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if bytes.Equal(body, []byte("{}")) {
		return head, nil
	}
	// {"context":"x"} + {"kind":...} = {"context":"x","kind":...}
	return append(append(head[:len(head)-1], ','), body[1:]...), nil
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// DeepCopyObject makes List printable by cli-runtime's printers.
func (l *List) DeepCopyObject() runtime.Object {
	out := &List{TypeMeta: l.TypeMeta, Items: make([]Item, len(l.Items))}
	for i, item := range l.Items {
		out.Items[i] = item
		if item.Object != nil {
			out.Items[i].Object = item.Object.DeepCopyObject()
		}
	}
	return out
}
