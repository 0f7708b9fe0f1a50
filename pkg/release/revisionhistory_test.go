package release

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// revision is ControllerRevision db-NUMBER of StatefulSet db, whose data is
// the template with image as the controller writes it; data replaces it
// when given.
func revision(number int64, image string, data ...string) appsv1.ControllerRevision {
	raw := fmt.Sprintf(`{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":%q}]}}}}`, image)
	if len(data) > 0 {
		raw = data[0]
	}
	return appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("db-%d", number), Annotations: map[string]string{ChangeCauseAnnotation: "cause " + image}},
		Revision:   number,
		Data:       runtime.RawExtension{Raw: []byte(raw)},
	}
}

// marked is each revision of h as "NUMBER=[IMAGES]" with its marks.
func marked(h *History) string {
	got := ""
	for _, r := range h.Revisions {
		got += fmt.Sprintf("%d=%v", r.Revision, r.Images)
		if r.Current {
			got += " current"
		}
		if r.Update {
			got += " update"
		}
		got += "; "
	}
	return got
}

func TestStatefulHistory(t *testing.T) {
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop"}}
	record := `[{"time":"2026-12-07T08:00:00Z","command":"kubectl ship canary db --image db:2"}]`
	cases := []struct {
		name            string
		current, update string
		revisions       []appsv1.ControllerRevision
		want            string
	}{
		{"a canary: the update revision beside the current one", "db-1", "db-2",
			[]appsv1.ControllerRevision{revision(2, "db:2"), revision(1, "db:1")}, "1=[db:1] current; 2=[db:2] update; "},
		{"rolled out: one revision is both", "db-2", "db-2",
			[]appsv1.ControllerRevision{revision(1, "db:1"), revision(2, "db:2")}, "1=[db:1]; 2=[db:2] current; "},
		{"a revision whose data cannot be read keeps its number", "db-1", "db-1",
			[]appsv1.ControllerRevision{revision(1, "db:1", "not json")}, "1=[] current; "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sts.Status.CurrentRevision, sts.Status.UpdateRevision = tc.current, tc.update
			h := NewStatefulHistory(sts, tc.revisions, map[string]string{AnnotationHistory: record})
			if got := marked(h); got != tc.want {
				t.Errorf("revisions %q, want %q", got, tc.want)
			}
			if h.Name != "db" || h.Namespace != "shop" || len(h.Operations) != 1 || h.Operations[0].Command != "kubectl ship canary db --image db:2" {
				t.Errorf("history %s/%s, operations %v", h.Namespace, h.Name, h.Operations)
			}
		})
	}
}

func TestDaemonHistory(t *testing.T) {
	// Revisions 1 and 2 of DaemonSet agent; the controller's hash label
	// names them as the canary's record does.
	revisions := func() []appsv1.ControllerRevision {
		out := []appsv1.ControllerRevision{revision(2, "agent:2"), revision(1, "agent:1")}
		for i := range out {
			out[i].Labels = map[string]string{LabelRevision: fmt.Sprintf("hash-%d", out[i].Revision)}
		}
		return out
	}
	record := func(stable string) map[string]string {
		return map[string]string{AnnotationDaemonCanary: `{"template":{},"updateStrategy":{"type":"OnDelete"},"stableRevision":"` + stable + `","nodes":["n0"]}`}
	}
	cases := []struct {
		name        string
		annotations map[string]string
		want        string
	}{
		{"no canary: the template's revision, the highest, is current", nil, "1=[agent:1]; 2=[agent:2] current; "},
		{"a canary: the record's revision is current, the template's the canary's", record("hash-1"), "1=[agent:1] current; 2=[agent:2] update; "},
		{"a canary whose template is back on the stable revision marks it alone", record("hash-2"), "1=[agent:1]; 2=[agent:2] current; "},
		{"an unreadable record marks the template's revision, as without a canary", map[string]string{AnnotationDaemonCanary: "{"}, "1=[agent:1]; 2=[agent:2] current; "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "shop", Annotations: tc.annotations}}
			h := NewDaemonHistory(ds, revisions(), map[string]string{AnnotationHistory: `[{"time":"2026-12-07T08:00:00Z","command":"kubectl ship canary agent --image agent:2 --nodes 1"}]`})
			if got := marked(h); got != tc.want {
				t.Errorf("revisions %q, want %q", got, tc.want)
			}
			if h.Name != "agent" || h.Namespace != "shop" || len(h.Operations) != 1 {
				t.Errorf("history %s/%s, operations %v", h.Namespace, h.Name, h.Operations)
			}
		})
	}
}
