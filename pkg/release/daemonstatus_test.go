package release

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// daemonCanaryRecord is the record of a canary on nodes, from agent:1 on
// revision hash-1.
func daemonCanaryRecord(nodes ...string) map[string]string {
	return map[string]string{AnnotationDaemonCanary: fmt.Sprintf(
		`{"template":{"spec":{"containers":[{"name":"agent","image":"agent:1"}]}},"updateStrategy":{"type":"RollingUpdate"},"stableRevision":"hash-1","nodes":["%s"]}`,
		strings.Join(nodes, `","`))}
}

// list's rows of StatefulSets and DaemonSets come from the workloads alone:
// a name a Deployment or StatefulSet has already is theirs, as status reads
// them first; the selector matches the workload's labels.
func TestAddWorkloads(t *testing.T) {
	statefulSets := []appsv1.StatefulSet{*fixture.NewStatefulSet("db").V(), *fixture.NewStatefulSet("web").V()}
	daemonSets := []appsv1.DaemonSet{
		*fixture.NewDaemonSet("agent").WithNodes(4).WithImage("agent:2").OnDelete().WithAnnotations(daemonCanaryRecord("n0", "n1")).V(),
		*fixture.NewDaemonSet("db").V(),
		*fixture.NewDaemonSet("logs").WithReady(2).V(),
		*fixture.NewDaemonSet("other").WithLabels(map[string]string{"tier": "other"}).V(),
	}
	list := &StatusList{Items: []*Status{{}}} // a Deployment's release, web
	list.Items[0].Name, list.Items[0].Namespace = "web", fixture.Namespace
	selector, err := labels.Parse("tier!=other")
	if err != nil {
		t.Fatal(err)
	}
	AddStatefulSets(list, statefulSets, nil, nil, selector)
	AddDaemonSets(list, daemonSets, selector)
	var got []string
	for _, st := range list.Items {
		row := st.Name + " " + string(st.Strategy) + " " + string(st.Phase)
		switch {
		case st.StatefulSet != nil:
			row += " statefulset"
		case st.DaemonSet != nil:
			ds := st.DaemonSet
			row += fmt.Sprintf(" daemonset %d/%d stable=%v canary=%v on %v from %s", ds.Ready, ds.Desired, Images(ds.Stable), Images(ds.Canary), ds.CanaryNodes, ds.StableRevision)
		}
		got = append(got, row)
	}
	want := []string{
		"agent canary Healthy daemonset 4/4 stable=[agent:1] canary=[agent:2] on [n0 n1] from hash-1",
		"db none Healthy statefulset",
		"logs none Progressing daemonset 2/3 stable=[logs:1] canary=[] on [] from ",
		"web  ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("list:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if msg := list.Items[0].DaemonSet.Message; msg != "canary on 2 of 4 nodes (updateStrategy OnDelete while it runs)" {
		t.Errorf("agent's message: %q", msg)
	}
}
