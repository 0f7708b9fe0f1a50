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
			if got != tc.want {
				t.Errorf("revisions %q, want %q", got, tc.want)
			}
			if h.Name != "db" || h.Namespace != "shop" || len(h.Operations) != 1 || h.Operations[0].Command != "kubectl ship canary db --image db:2" {
				t.Errorf("history %s/%s, operations %v", h.Namespace, h.Name, h.Operations)
			}
		})
	}
}
