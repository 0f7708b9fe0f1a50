package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

func owned(d *appsv1.Deployment, release, role string) appsv1.Deployment {
	d.Labels = map[string]string{LabelRelease: release, LabelRole: role}
	return *d
}

func TestNewFindsTheRoutingService(t *testing.T) {
	stable := fixture.NewDeployment("web").V()
	tests := []struct {
		name     string
		services []corev1.Service
		explicit string
		want     string // the Services found, or the error
	}{
		{"one", []corev1.Service{*fixture.NewService("web").V(), *fixture.NewService("db").V()}, "", "web"},
		{"several", []corev1.Service{*fixture.NewService("web").V(), *fixture.NewService("web-2").WithSelector(map[string]string{"track": "stable"}).V()}, "", "web,web-2"},
		{"none", nil, "", "no service in namespace ns selects the pods of deployment web"},
		{"none that match", []corev1.Service{*fixture.NewService("db").V(), *fixture.NewService("headless").WithSelector(nil).V()},
			"", "no service selects the pods of deployment web (pod labels app=web,track=stable); considered: db (selector app=db), headless (selector none)"},
		{"explicit, not selecting", []corev1.Service{*fixture.NewService("db").V()}, "db", "service db (selector app=db) does not select the pods of deployment web"},
		{"explicit, missing", []corev1.Service{*fixture.NewService("web").V()}, "nope", "service nope not found in namespace ns"},
		{"explicit, among others", []corev1.Service{*fixture.NewService("web").V(), *fixture.NewService("web-2").WithSelector(map[string]string{"app": "web"}).V()}, "web-2", "web-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, err := New(stable, nil, tt.services, tt.explicit)
			got := ""
			if err != nil {
				got = err.Error()
				if _, ok := err.(*NotReleaseError); !ok {
					t.Errorf("want a NotReleaseError, got %T", err)
				}
			} else {
				var names []string
				for _, s := range rel.Services {
					names = append(names, s.Name)
				}
				got = strings.Join(names, ",")
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServiceNeedsExactlyOne(t *testing.T) {
	stable := fixture.NewDeployment("web").AppOnly().V()
	rel, _ := New(stable, nil, []corev1.Service{*fixture.NewService("a").WithSelector(map[string]string{"app": "web"}).V(), *fixture.NewService("b").WithSelector(map[string]string{"app": "web"}).V()}, "")
	if _, err := rel.Service(); err == nil || err.Error() != "services a, b all select the pods of deployment web: choose one with --service" {
		t.Errorf("err = %v", err)
	}
}

func blueGreen(servingValue string) *Release {
	blue := fixture.NewDeployment("web").WithPodLabels(map[string]string{"app": "web", "version": "1"}).V()
	green := owned(fixture.NewDeployment("web-green").WithSelector(map[string]string{"app": "web", LabelColor: "green"}).WithPodLabels(map[string]string{"app": "web", LabelColor: "green", "version": "2"}).V(), "web", RoleGreen)
	green.Annotations = map[string]string{AnnotationColorKey: "version"}
	rel, _ := New(blue, []appsv1.Deployment{green}, []corev1.Service{*fixture.NewService("web").WithSelector(map[string]string{"app": "web", "version": servingValue}).V()}, "")
	return rel
}

func TestServing(t *testing.T) {
	for value, want := range map[string]Color{"1": Blue, "2": Green} {
		if got, err := blueGreen(value).Serving("version"); got != want || err != nil {
			t.Errorf("selector version=%s: serving %q, %v; want %q", value, got, err, want)
		}
	}
	rel := blueGreen("1")
	rel.Services = append(rel.Services, fixture.NewService("web-2").WithSelector(map[string]string{"app": "web", "version": "2"}).V())
	if _, err := rel.Serving("version"); err == nil || !strings.Contains(err.Error(), "web route to blue, web-2 to green") {
		t.Errorf("disagreeing services: %v", err)
	}
}

func TestPhaseAndWarnings(t *testing.T) {
	stable := fixture.NewDeployment("web").AppOnly().V()
	services := []corev1.Service{*fixture.NewService("web").V()}
	tests := []struct {
		name   string
		change func(*appsv1.Deployment)
		phase  string
		warn   string
	}{
		{"healthy", func(*appsv1.Deployment) {}, PhaseHealthy, ""},
		{"rolling", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }, PhaseProgressing, ""},
		{"paused", func(d *appsv1.Deployment) { d.Spec.Paused = true }, PhasePaused, "kubectl rollout resume deployment/web"},
		{"past its deadline", func(d *appsv1.Deployment) {
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Reason: "ProgressDeadlineExceeded"}}
		}, PhaseDegraded, "exceeded its progress deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := stable.DeepCopy()
			tt.change(d)
			rel, _ := New(d, nil, services, "")
			st := Summarize(rel, NewEndpoints(nil, nil))
			if st.Phase != tt.phase || !strings.Contains(strings.Join(st.Warnings, "\n"), tt.warn) {
				t.Errorf("phase %s, warnings %v", st.Phase, st.Warnings)
			}
		})
	}
}

// A canary beside a stable Deployment of 0 replicas takes all of the
// traffic, whatever weight it was given: status says so.
func TestStatusWarnsOfNoStablePods(t *testing.T) {
	stable := fixture.NewDeployment("web").WithReplicas(0).AppOnly().V()
	canary := owned(fixture.NewDeployment("web-canary").WithReplicas(1).WithSelector(map[string]string{"app": "web", "track": "canary"}).WithPodLabels(map[string]string{"app": "web", "track": "canary"}).V(), "web", RoleCanary)
	rel, err := New(stable, []appsv1.Deployment{*stable, canary}, []corev1.Service{*fixture.NewService("web").V()}, "")
	if err != nil {
		t.Fatal(err)
	}
	st := Summarize(rel, NewEndpoints(nil, nil))
	if !strings.Contains(strings.Join(st.Warnings, "\n"), "deployment web has 0 replicas: the canary takes all of the traffic") {
		t.Errorf("warnings %q", st.Warnings)
	}
}

func TestRolloutStatus(t *testing.T) {
	tests := []struct {
		name   string
		status appsv1.DeploymentStatus
		want   string
		done   bool
	}{
		{"not observed", appsv1.DeploymentStatus{ObservedGeneration: 0}, `Waiting for deployment "web" spec update to be observed...`, false},
		{"updating", appsv1.DeploymentStatus{ObservedGeneration: 1, UpdatedReplicas: 1}, `1 out of 3 new replicas have been updated...`, false},
		{"old pods left", appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3}, `1 old replicas are pending termination...`, false},
		{"not available", appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2}, `2 of 3 updated replicas are available...`, false},
		{"done", appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3}, `deployment "web" successfully rolled out`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fixture.NewDeployment("web").V()
			d.Status = tt.status
			msg, done, err := RolloutStatus(d)
			if err != nil || done != tt.done || !strings.Contains(msg, tt.want) {
				t.Errorf("RolloutStatus = %q, %v, %v", msg, done, err)
			}
		})
	}
}

func TestSummarizeAllGroupsReleases(t *testing.T) {
	web := *fixture.NewDeployment("web").AppOnly().V()
	canary := owned(fixture.NewDeployment("web-canary").WithReplicas(1).WithSelector(map[string]string{"app": "web", "track": "canary"}).WithPodLabels(map[string]string{"app": "web", "track": "canary"}).V(), "web", RoleCanary)
	lonely := *fixture.NewDeployment("lonely").WithReplicas(1).AppOnly().V()
	other := *fixture.NewDeployment("api").WithReplicas(2).AppOnly().V()
	other.Namespace = "a-first"
	list := SummarizeAll([]appsv1.Deployment{web, canary, lonely, other}, []corev1.Service{*fixture.NewService("web").V()},
		nil, nil, labels.Everything(), nil)
	var got []string
	for _, st := range list.Items {
		got = append(got, st.Namespace+"/"+st.Name+":"+st.Strategy)
	}
	if want := "a-first/api:none ns/lonely:none ns/web:canary"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}
