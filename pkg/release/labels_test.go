package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Every valid Deployment name gives a valid label value and Lease name, and
// two long names that share their start stay apart.
func TestNamesDerivedFromLongReleaseNames(t *testing.T) {
	long := strings.Repeat("a", 70)
	longer := strings.Repeat("a", 69) + "b"
	dotted := strings.Repeat("web.v1.", 40)[:250]
	for _, name := range []string{"web", long, longer, strings.Repeat("a-", 40) + "z", dotted} {
		if errs := validation.IsValidLabelValue(labelValue(name)); len(errs) > 0 {
			t.Errorf("labelValue(%q) = %q: %v", name, labelValue(name), errs)
		}
		if errs := validation.IsDNS1123Subdomain(LockName(name)); len(errs) > 0 {
			t.Errorf("LockName(%q) = %q: %v", name, LockName(name), errs)
		}
	}
	if labelValue("web") != "web" || LockName("web") != "kubectl-ship-web" {
		t.Errorf("short names are kept as they are: %q, %q", labelValue("web"), LockName("web"))
	}
	if labelValue(long) == labelValue(longer) {
		t.Errorf("two long names share the label %q", labelValue(long))
	}
}

func TestOwnerOf(t *testing.T) {
	long := strings.Repeat("a", 70)
	for _, name := range []string{"web", long} {
		labels, annotations := OwnedBy(name, RoleCanary)
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations}}
		if owner, ok := OwnerOf(d); !ok || owner != name {
			t.Errorf("OwnerOf = %q, %v; want %q", owner, ok, name)
		}
	}
	if _, ok := OwnerOf(&appsv1.Deployment{}); ok {
		t.Error("a Deployment without ship's label is nobody's")
	}
}
