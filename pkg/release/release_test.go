package release

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
)

// deployment builds a rolled-out Deployment selecting selector, its pods
// labelled podLabels.
func deployment(name string, replicas int32, selector, podLabels map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: name + ":1"}}},
			},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas},
	}
}

func service(name string, selector map[string]string) corev1.Service {
	return corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Spec: corev1.ServiceSpec{Selector: selector}}
}

func owned(d *appsv1.Deployment, release, role string) appsv1.Deployment {
	d.Labels = map[string]string{LabelRelease: release, LabelRole: role}
	return *d
}

func TestNewFindsTheRoutingService(t *testing.T) {
	stable := deployment("web", 3, map[string]string{"app": "web"}, map[string]string{"app": "web", "track": "stable"})
	tests := []struct {
		name     string
		services []corev1.Service
		explicit string
		want     string // the Services found, or the error
	}{
		{"one", []corev1.Service{service("web", map[string]string{"app": "web"}), service("db", map[string]string{"app": "db"})}, "", "web"},
		{"several", []corev1.Service{service("web", map[string]string{"app": "web"}), service("web-2", map[string]string{"track": "stable"})}, "", "web,web-2"},
		{"none", nil, "", "no service in namespace ns selects the pods of deployment web"},
		{"none that match", []corev1.Service{service("db", map[string]string{"app": "db"}), service("headless", nil)},
			"", "no service selects the pods of deployment web (pod labels app=web,track=stable); considered: db (selector app=db), headless (selector none)"},
		{"explicit, not selecting", []corev1.Service{service("db", map[string]string{"app": "db"})}, "db", "service db (selector app=db) does not select the pods of deployment web"},
		{"explicit, missing", []corev1.Service{service("web", map[string]string{"app": "web"})}, "nope", "service nope not found in namespace ns"},
		{"explicit, among others", []corev1.Service{service("web", map[string]string{"app": "web"}), service("web-2", map[string]string{"app": "web"})}, "web-2", "web-2"},
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
	stable := deployment("web", 3, map[string]string{"app": "web"}, map[string]string{"app": "web"})
	rel, _ := New(stable, nil, []corev1.Service{service("a", map[string]string{"app": "web"}), service("b", map[string]string{"app": "web"})}, "")
	if _, err := rel.Service(); err == nil || err.Error() != "services a, b all select the pods of deployment web: choose one with --service" {
		t.Errorf("err = %v", err)
	}
}

func blueGreen(servingValue string) *Release {
	blue := deployment("web", 3, map[string]string{"app": "web"}, map[string]string{"app": "web", "version": "1"})
	green := owned(deployment("web-green", 3, map[string]string{"app": "web", LabelColor: "green"},
		map[string]string{"app": "web", LabelColor: "green", "version": "2"}), "web", RoleGreen)
	green.Annotations = map[string]string{AnnotationColorKey: "version"}
	rel, _ := New(blue, []appsv1.Deployment{green}, []corev1.Service{service("web", map[string]string{"app": "web", "version": servingValue})}, "")
	return rel
}

func TestServing(t *testing.T) {
	for value, want := range map[string]Color{"1": Blue, "2": Green} {
		if got, err := blueGreen(value).Serving("version"); got != want || err != nil {
			t.Errorf("selector version=%s: serving %q, %v; want %q", value, got, err, want)
		}
	}
	rel := blueGreen("1")
	rel.Services = append(rel.Services, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web-2"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web", "version": "2"}}})
	if _, err := rel.Serving("version"); err == nil || !strings.Contains(err.Error(), "web route to blue, web-2 to green") {
		t.Errorf("disagreeing services: %v", err)
	}
}

// slice lists pods as ready endpoints of service svc.
func slice(svc string, pods ...string) discoveryv1.EndpointSlice {
	s := discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: svc + "-x", Labels: map[string]string{discoveryv1.LabelServiceName: svc}}}
	for _, p := range pods {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}, TargetRef: &corev1.ObjectReference{Name: p}})
	}
	return s
}

func TestPhaseAndWarnings(t *testing.T) {
	stable := deployment("web", 3, map[string]string{"app": "web"}, map[string]string{"app": "web"})
	services := []corev1.Service{service("web", map[string]string{"app": "web"})}
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
	stable := deployment("web", 0, map[string]string{"app": "web"}, map[string]string{"app": "web"})
	canary := owned(deployment("web-canary", 1, map[string]string{"app": "web", "track": "canary"}, map[string]string{"app": "web", "track": "canary"}), "web", RoleCanary)
	rel, err := New(stable, []appsv1.Deployment{*stable, canary}, []corev1.Service{service("web", map[string]string{"app": "web"})}, "")
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
			d := deployment("web", 3, map[string]string{"app": "web"}, nil)
			d.Status = tt.status
			msg, done, err := RolloutStatus(d)
			if err != nil || done != tt.done || !strings.Contains(msg, tt.want) {
				t.Errorf("RolloutStatus = %q, %v, %v", msg, done, err)
			}
		})
	}
}

func TestSummarizeAllGroupsReleases(t *testing.T) {
	web := *deployment("web", 3, map[string]string{"app": "web"}, map[string]string{"app": "web"})
	canary := owned(deployment("web-canary", 1, map[string]string{"app": "web", "track": "canary"}, map[string]string{"app": "web", "track": "canary"}), "web", RoleCanary)
	lonely := *deployment("lonely", 1, map[string]string{"app": "lonely"}, map[string]string{"app": "lonely"})
	other := *deployment("api", 2, map[string]string{"app": "api"}, map[string]string{"app": "api"})
	other.Namespace = "a-first"
	list := SummarizeAll([]appsv1.Deployment{web, canary, lonely, other}, []corev1.Service{service("web", map[string]string{"app": "web"})},
		nil, nil, labels.Everything(), nil)
	var got []string
	for _, st := range list.Items {
		got = append(got, st.Namespace+"/"+st.Name+":"+st.Strategy)
	}
	if want := "a-first/api:none ns/lonely:none ns/web:canary"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}
