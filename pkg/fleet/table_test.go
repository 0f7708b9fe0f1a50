package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

var columns = []metav1.TableColumnDefinition{
	{Name: "Name"}, {Name: "Phase"}, {Name: "Services", Priority: 1},
}

func row(namespace, name, phase string) metav1.TableRow {
	st := &release.Status{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	return metav1.TableRow{Cells: []any{name, phase, name}, Object: runtime.RawExtension{Object: st}}
}

func fleetRows() []Result[[]metav1.TableRow] {
	return []Result[[]metav1.TableRow]{
		{Context: "prod-us-east", Value: []metav1.TableRow{row("shop", "web", "Healthy"), row("shop", "checkout", "Degraded")}},
		{Context: "dead", Err: errors.New("Get \"https://127.0.0.1:1/apis/apps/v1/deployments\":\n dial tcp 127.0.0.1:1: connect: connection refused")},
		{Context: "eu", Value: []metav1.TableRow{row("shop", "web", "Progressing")}},
	}
}

// What a server sent reaches the terminal escaped.
func TestPrintTableEscapes(t *testing.T) {
	var out bytes.Buffer
	rows := []Result[[]metav1.TableRow]{{Context: "evil", Err: errors.New("forbidden \x1b[2J\x1b]0;pwned\a")}}
	if err := PrintTable(&out, columns, rows, TableOptions{NoHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out.String(), '\x1b') || !strings.Contains(out.String(), "^[[2J") {
		t.Errorf("got %q", out.String())
	}
}

// An error row is the context and the message, on one line, and widens no
// column: the rows around it stay aligned.
func TestPrintTableWithErrorRows(t *testing.T) {
	var out bytes.Buffer
	if err := PrintTable(&out, columns, fleetRows(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `CONTEXT        NAME       PHASE
prod-us-east   web        Healthy
prod-us-east   checkout   Degraded
dead           error: Get "https://127.0.0.1:1/apis/apps/v1/deployments": dial tcp 127.0.0.1:1: connect: connection refused
eu             web        Progressing
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestPrintTableWideWithNamespaces(t *testing.T) {
	var out bytes.Buffer
	if err := PrintTable(&out, columns, fleetRows()[2:], TableOptions{Wide: true, WithNamespace: true, NoHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if want := "eu    shop   web   Progressing   web\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	if err := PrintTable(&out, columns, fleetRows()[2:], TableOptions{Wide: true, Hide: []string{"Phase"}}); err != nil {
		t.Fatal(err)
	}
	if want := "CONTEXT   NAME   SERVICES\neu        web    web\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// -o json and yaml: one list, every item with its context first, a
// cluster that failed as {context, error}.
func TestListCarriesTheContextOnEachItem(t *testing.T) {
	list := NewList("ReleaseStatusList")
	st := &release.Status{TypeMeta: metav1.TypeMeta{APIVersion: release.StatusAPIVersion, Kind: "ReleaseStatus"},
		ObjectMeta: metav1.ObjectMeta{Name: "web"}, Phase: "Healthy"}
	list.Items = append(list.Items, Item{Context: "a", Object: st}, Item{Context: "dead", Err: errors.New("connection refused")})
	raw, err := json.Marshal(list.DeepCopyObject())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), `{"kind":"ReleaseStatusList","apiVersion":"kubectl-ship.dev/v1alpha1","items":[{"context":"a","kind":"ReleaseStatus",`) ||
		!strings.HasSuffix(string(raw), `{"context":"dead","error":"connection refused"}]}`) {
		t.Errorf("json: %s", raw)
	}
	var back struct {
		Items []struct {
			Context  string            `json:"context"`
			Metadata metav1.ObjectMeta `json:"metadata"`
			Phase    string            `json:"phase"`
		} `json:"items"`
	}
	y, err := yaml.Marshal(list)
	if err == nil {
		err = yaml.Unmarshal(y, &back)
	}
	if err != nil || len(back.Items) != 2 || back.Items[0].Metadata.Name != "web" || back.Items[0].Phase != "Healthy" || back.Items[1].Context != "dead" {
		t.Errorf("yaml (%v):\n%s", err, y)
	}
}
