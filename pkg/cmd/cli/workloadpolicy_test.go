package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// configMaps is a ship.Reader of the ConfigMaps of one namespace.
type configMaps map[string]map[string]string

func (c configMaps) ConfigMapData(_ context.Context, name string) (map[string]string, error) {
	if data, ok := c[name]; ok {
		return data, nil
	}
	return nil, fmt.Errorf("configmap %s not found", name)
}

func (configMaps) SecretValue(context.Context, string, string) (string, error) {
	return "", fmt.Errorf("no secrets here")
}

const policyHeader = "apiVersion: kubectl-ship.dev/v1alpha1\nkind: ReleasePolicy\nspec: "

// daemonSet is DaemonSet agent carrying annotations.
func daemonSet(annotations map[string]string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "ns", Annotations: annotations}}
}

// A DaemonSet's policy resolves as a Deployment's: its own over the
// namespace default it names, under the flags typed; its steps are nodes
// and percentages, as --steps takes them.
func TestWorkloadLayersOfADaemonSet(t *testing.T) {
	ds := daemonSet(map[string]string{
		policy.Annotation:         policyHeader + `{steps: [1, "50%"], checkEvery: 2s}`,
		policy.DefaultsAnnotation: "team",
	})
	reader := configMaps{"team": {policy.DefaultsKey: policyHeader + "{interval: 10m, checkEvery: 30s}"}}
	layers, err := WorkloadLayers(context.Background(), release.KindDaemonSet, ds, reader)
	if err != nil {
		t.Fatal(err)
	}
	cmd := verb(t, "--check-every", "5s")
	eff, err := ApplyPolicy(cmd, policy.Canary, nil, layers...)
	if err != nil {
		t.Fatal(err)
	}
	flags := cmd.Flags()
	if flags.Lookup("steps").Value.String() != "1,50%" || flags.Lookup("interval").Value.String() != "10m0s" || flags.Lookup("check-every").Value.String() != "5s" {
		t.Errorf("flags: steps %s, interval %s, check-every %s", flags.Lookup("steps").Value, flags.Lookup("interval").Value, flags.Lookup("check-every").Value)
	}
	want := map[string]string{"steps": "daemonset/agent", "interval": "configmap/team (namespace default)", "checkEvery": "--check-every"}
	for field, source := range want {
		if eff.Sources[field] != source {
			t.Errorf("%s from %q, want %q", field, eff.Sources[field], source)
		}
	}
}

// On a DaemonSet, a field its canary cannot follow is refused with where it
// came from, as an invalid field is; on the other kinds it is not.
func TestWorkloadLayersRefuseForADaemonSet(t *testing.T) {
	reader := configMaps{"team": {policy.DefaultsKey: policyHeader + "{sticky: true}"}}
	tests := []struct {
		kind        string
		annotations map[string]string
		want        string
	}{
		{release.KindDaemonSet, map[string]string{policy.Annotation: policyHeader + "{route: httproute/web}"},
			"daemonset agent: annotation kubectl-ship.dev/policy: spec.route: does not apply to a DaemonSet"},
		{release.KindDaemonSet, map[string]string{policy.DefaultsAnnotation: "team"},
			"configmap team: policy.yaml: spec.sticky: does not apply to a DaemonSet"},
		{release.KindDaemonSet, map[string]string{policy.Annotation: policyHeader + "{steps: [1, half]}"},
			`daemonset agent: annotation kubectl-ship.dev/policy: spec.steps[1]: "half" is neither a weight in percent nor pause`},
		{release.KindStatefulSet, map[string]string{policy.Annotation: policyHeader + "{route: httproute/web}", policy.DefaultsAnnotation: "team"}, ""},
		{release.KindDeployment, map[string]string{policy.Annotation: policyHeader + "{header: X-Canary=1}"}, ""},
	}
	for _, tt := range tests {
		_, err := WorkloadLayers(context.Background(), tt.kind, daemonSet(tt.annotations), reader)
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s %v: got %v, want %q", tt.kind, tt.annotations, err, tt.want)
		}
	}
}

// --policy's document is refused on a DaemonSet as the annotation is, named
// by its file; not on the other kinds.
func TestPolicyFlagsCheckFor(t *testing.T) {
	p := PolicyFlags{Recorded: policyHeader + "{weightTotal: 1000}"}
	if err := p.Read(); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckFor(release.KindStatefulSet); err != nil {
		t.Errorf("a StatefulSet follows a route's weights: %v", err)
	}
	err := p.CheckFor(release.KindDaemonSet)
	if err == nil || !strings.HasPrefix(err.Error(), "the progression's record: spec.weightTotal: does not apply to a DaemonSet") {
		t.Errorf("got %v", err)
	}
	if err := (&PolicyFlags{}).CheckFor(release.KindDaemonSet); err != nil {
		t.Errorf("no --policy: %v", err)
	}
}
