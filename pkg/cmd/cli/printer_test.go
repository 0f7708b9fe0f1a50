package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

func typed(obj runtime.Object, apiVersion, kind string) runtime.Object {
	obj.GetObjectKind().(*metav1.TypeMeta).APIVersion = apiVersion
	obj.GetObjectKind().(*metav1.TypeMeta).Kind = kind
	return obj
}

// promoteChanges are what a promote of a sticky canary reports: a patch, a
// deletion and a patch.
func promoteChanges() []ship.Change {
	managed := []metav1.ManagedFieldsEntry{{Manager: "kubectl-ship"}}
	return []ship.Change{
		{Action: plans.Patch, Operation: "promoted",
			Object: typed(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", ManagedFields: managed}}, "apps/v1", "Deployment")},
		{Action: plans.Delete, Operation: "deleted",
			Object: typed(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web-canary"}}, "apps/v1", "Deployment")},
		{Action: plans.Patch, Operation: "configured",
			Object: typed(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, "v1", "Service")},
	}
}

func printResults(t *testing.T, output string, dryRun ship.DryRun) (stdout, stderr string) {
	t.Helper()
	flags := NewMutationFlags()
	flags.PrintFlags.OutputFormat = &output
	var out, errOut bytes.Buffer
	p := &ResultPrinter{flags: flags.PrintFlags, dryRun: dryRun, out: &out, errOut: &errOut}
	for _, c := range promoteChanges() {
		if err := p.Report(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String()
}

func TestResultLines(t *testing.T) {
	stdout, stderr := printResults(t, "", ship.DryRunClient)
	want := "deployment.apps/web promoted (dry run)\ndeployment.apps/web-canary deleted (dry run)\nservice/web configured (dry run)\n"
	if stdout != want || stderr != "" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// With -o json several objects are one List, with -o yaml documents
// separated by ---: a stream kubectl apply takes. The deleted canary is not
// in it, where it would read as an object to apply; it is named on stderr.
func TestResultObjectsAreAStream(t *testing.T) {
	stdout, stderr := printResults(t, "json", ship.DryRunClient)
	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Kind     string            `json:"kind"`
			Metadata metav1.ObjectMeta `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatalf("-o json is not one JSON document: %v\n%s", err, stdout)
	}
	if list.Kind != "List" || len(list.Items) != 2 || list.Items[0].Metadata.Name != "web" || list.Items[1].Kind != "Service" {
		t.Errorf("-o json: %s", stdout)
	}
	if len(list.Items[0].Metadata.ManagedFields) != 0 {
		t.Errorf("managedFields are printed: %s", stdout)
	}
	if stderr != "deployment.apps/web-canary deleted (dry run)\n" {
		t.Errorf("the deletion should be named on stderr, got %q", stderr)
	}
	stdout, _ = printResults(t, "yaml", ship.DryRunNone)
	if docs := strings.Split(stdout, "---\n"); len(docs) != 2 || !strings.Contains(docs[1], "kind: Service") {
		t.Errorf("-o yaml should be two documents:\n%s", stdout)
	}
}
