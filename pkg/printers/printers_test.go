package printers

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// canaryStatus is a canary at 25% behind a sticky Service.
func canaryStatus() *release.Status {
	created := metav1.NewTime(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	return &release.Status{
		ObjectMeta: metav1.ObjectMeta{Name: "ctwoc", Namespace: "demo", CreationTimestamp: created},
		Strategy:   release.StrategyCanary, Phase: release.PhaseHealthy,
		Deployments: []release.DeploymentStatus{
			deploymentStatus("ctwoc", "stable", 3, "example/ctwoc:1.0.0"),
			deploymentStatus("ctwoc-canary", "canary", 1, "example/ctwoc:2.0.0"),
		},
		Services: []release.ServiceStatus{{
			Name: "ctwoc", Selector: map[string]string{"app": "ctwoc"}, SessionAffinity: "ClientIP",
			ReadyEndpoints: map[string]int{"stable": 3, "canary": 1}, Traffic: map[string]float64{"stable": 75, "canary": 25},
			RequestedWeight: ptr.To[int32](25),
		}},
		Operation: "kubectl ship promote ctwoc by alice@laptop (pid 42) since 10:30:00, until 10:36:00",
		Warnings:  []string{"service ctwoc pins client IPs to pods through kube-proxy, not to versions"},
	}
}

// deploymentStatus is a rolled-out Deployment of one container.
func deploymentStatus(name, role string, replicas int32, image string) release.DeploymentStatus {
	return release.DeploymentStatus{
		Name: name, Role: role, Images: []string{image}, Containers: []release.Container{{Name: "app", Image: image, Type: release.ContainerApp}},
		Replicas: replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas, Revision: "1",
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/printers -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestStatusText(t *testing.T) {
	var out bytes.Buffer
	if err := Status(&out, canaryStatus()); err != nil {
		t.Fatal(err)
	}
	golden(t, "status.txt", out.Bytes())
}

// switchedStatus is a blue-green release switched to green: blue, idle,
// runs the older image, which once showed under NEW IMAGE.
func switchedStatus() *release.Status {
	st := canaryStatus()
	st.Name, st.Strategy, st.Operation, st.Warnings = "shop", release.StrategyBlueGreen, "", nil
	blue, green := deploymentStatus("shop", "blue", 3, "example/shop:1.0"), deploymentStatus("shop-green", "green", 3, "example/shop:2.0")
	blue.Serving, green.Serving = ptr.To(false), ptr.To(true)
	st.Deployments = []release.DeploymentStatus{blue, green}
	st.Services = []release.ServiceStatus{{Name: "shop", Selector: map[string]string{"app": "shop", "version": "2.0"}, SessionAffinity: "None",
		ReadyEndpoints: map[string]int{"green": 3}, Traffic: map[string]float64{"green": 100}}}
	return st
}

// handMadeStatus is the walkthrough's layout: a canary made by hand, whose
// pods the Service reaches but which is no Deployment of the release; its
// pods also run an init container.
func handMadeStatus() *release.Status {
	st := canaryStatus()
	st.Name, st.Strategy, st.Operation, st.Warnings = "ctwoc", release.StrategyNone, "", nil
	d := deploymentStatus("ctwoc", "stable", 3, "example/ctwoc:1.0.0")
	d.Containers = append(d.Containers, release.Container{Name: "migrate", Image: "example/migrate:1", Type: release.ContainerInit})
	d.Images = release.Images(d.Containers)
	st.Deployments = []release.DeploymentStatus{d}
	st.Services = []release.ServiceStatus{{Name: "ctwoc", Selector: map[string]string{"app": "ctwoc"}, SessionAffinity: "None",
		ReadyEndpoints: map[string]int{"stable": 3, "other": 1}, Traffic: map[string]float64{"stable": 75, "other": 25},
		Others: []release.OtherOwner{{Kind: "Deployment", Name: "ctwoc-canary", ReadyEndpoints: 1, Traffic: 25}}}}
	return st
}

// workloadStatuses are list's rows of a StatefulSet canary on its highest
// ordinal, another through an HTTPRoute at 10%, a DaemonSet canary on 2 of
// its 4 nodes, and a DaemonSet with no canary and one node not ready, as
// list reads them (no pods).
func workloadStatuses() []*release.Status {
	created := metav1.NewTime(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	var out []*release.Status
	list := &release.StatusList{}
	canary := func(name string) *appsv1.StatefulSet {
		return fixture.NewStatefulSet(name).WithReplicas(4).WithImage(name + ":2").WithPartition(3).Rolling(1).
			WithAnnotations(map[string]string{release.AnnotationStatefulCanary: `{"template":{"spec":{"containers":[{"name":"` + name + `","image":"` + name + `:1"}]}},"partition":0}`}).V()
	}
	routed := fixture.NewService("cache-canary").WithLabels(map[string]string{release.LabelRelease: "cache", release.LabelRole: release.RoleCanary}).
		WithAnnotations(map[string]string{release.AnnotationRoute: "httproute/web"}).V()
	route, err := release.NewHTTPRoute(fixture.NewHTTPRoute("web", true, fixture.HTTPRouteSplit("cache-stable", 90, "cache-canary", 10)))
	if err != nil {
		panic(err)
	}
	release.AddStatefulSets(list, []appsv1.StatefulSet{*canary("db"), *canary("cache")}, []corev1.Service{*routed},
		&release.ListedRoutes{Namespace: fixture.Namespace, HTTPRoutes: []*release.HTTPRoute{route}}, labels.Everything())
	agent := fixture.NewDaemonSet("agent").WithNodes(4).WithImage("agent:2").OnDelete().WithAnnotations(map[string]string{release.AnnotationDaemonCanary: `{"template":{"spec":{"containers":[{"name":"agent","image":"agent:1"}]}},` +
		`"updateStrategy":{"type":"RollingUpdate"},"stableRevision":"6d4f","nodes":["kwok-0","kwok-1"]}`})
	release.AddDaemonSets(list, []appsv1.DaemonSet{*agent.V(), *fixture.NewDaemonSet("logs").WithReady(2).V()}, labels.Everything())
	for _, st := range list.Items {
		st.CreationTimestamp = created
		out = append(out, st)
	}
	return out
}

func TestReleaseTable(t *testing.T) {
	list := &release.StatusList{Items: append([]*release.Status{canaryStatus(), switchedStatus(), handMadeStatus()}, workloadStatuses()...)}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // a frozen clock: the age is 2h
	var out bytes.Buffer
	p := cliprinters.NewTablePrinter(cliprinters.PrintOptions{Wide: true, WithNamespace: true})
	if err := p.PrintObj(ReleaseTable(list, now), &out); err != nil {
		t.Fatal(err)
	}
	golden(t, "list-wide.txt", out.Bytes())
}

// history shows what a fleet did in this cluster: the wave of each
// operation, and a rollback with the fleet command it was part of.
func TestHistoryShowsTheFleet(t *testing.T) {
	at := func(minute int) metav1.Time {
		return metav1.NewTime(time.Date(2026, 11, 25, 10, minute, 0, 0, time.UTC))
	}
	fleet := "kubectl ship canary ctwoc --image example/ctwoc:2.0.0 --wave a --wave b --soak 1m"
	h := &release.History{
		ObjectMeta: metav1.ObjectMeta{Name: "ctwoc", Namespace: "demo"},
		Revisions: []release.Revision{{Revision: 1, Created: at(0), Images: []string{"example/ctwoc:1.0.0"},
			Containers: []release.Container{{Name: "ctwoc", Image: "example/ctwoc:1.0.0"}}, Current: true}},
		Operations: []release.Operation{
			{Time: at(1), Command: fleet, User: "alice", From: "alice@laptop", Changes: []string{"deployment.apps/ctwoc-canary created"},
				Error: "health gate: pods: Fail: canary pod ctwoc-canary-x: container ctwoc waiting: CrashLoopBackOff",
				Fleet: &release.FleetStep{Wave: 2, Waves: 2}},
			{Time: at(2), Command: "kubectl ship abort ctwoc", User: "alice", From: "alice@laptop", Changes: []string{"deployment.apps/ctwoc-canary deleted"},
				Fleet: &release.FleetStep{Wave: 2, Waves: 2, Command: fleet}},
		},
	}
	var out bytes.Buffer
	if err := History(&out, h); err != nil {
		t.Fatal(err)
	}
	golden(t, "history-fleet.txt", out.Bytes())
}

// A progression awaiting approval says since when, with the verdicts on
// its pauses so far: the trail.
func TestProgressionAwaitingApproval(t *testing.T) {
	at := func(minute int) metav1.Time {
		return metav1.NewTime(time.Date(2026, 11, 25, 10, minute, 0, 0, time.UTC))
	}
	p := &release.Progression{Images: []string{"example/ctwoc:2.0.0"}, Steps: []string{"10", "pause", "25", "pause", "50"},
		Step: 3, Phase: release.ProgressionPaused, Since: at(20),
		Approvals: []release.Approval{{Step: 1, Pause: at(5), Verdict: release.VerdictApproved, User: "alice", Reason: "error rate flat", Time: at(9)}}}
	var out bytes.Buffer
	Progression(&out, p, at(23).Time)
	golden(t, "progression-awaiting.txt", out.Bytes())
}
