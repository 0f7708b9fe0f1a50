package release

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// pod is the metadata of a pod of Deployment owner (through its ReplicaSet
// of hash "h1"), as the Deployment controller makes it; owner "" is a pod
// no controller owns.
func pod(name, owner string, labels map[string]string) metav1.PartialObjectMetadata {
	p := metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
	for k, v := range labels {
		p.Labels[k] = v
	}
	if owner != "" {
		p.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = "h1"
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: owner + "-h1", Controller: ptr.To(true)}}
	}
	return p
}

// controlledBy is a pod whose controller is kind/name.
func controlledBy(name, kind, owner string) metav1.PartialObjectMetadata {
	p := pod(name, "", map[string]string{"app": "web"})
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: owner, Controller: ptr.To(true)}}
	return p
}

// webRelease is stable web in the seed's layout (selector app=web matching
// every pod below), with canary web-canary made by ship (canary "ship"),
// made by ship then stripped of its role label ("unlabelled"), or none.
func webRelease(t *testing.T, canary string) *Release {
	t.Helper()
	stable := fixture.NewDeployment("web").V()
	var made []appsv1.Deployment
	if canary != "" {
		c := owned(fixture.NewDeployment("web-canary").WithReplicas(1).WithSelector(map[string]string{"app": "web", "track": "canary"}).WithPodLabels(map[string]string{"app": "web", "track": "canary"}).V(), "web", RoleCanary)
		c.Annotations = map[string]string{AnnotationWeight: "25"}
		if canary == "unlabelled" {
			delete(c.Labels, LabelRole)
		}
		made = append(made, c)
	}
	rel, err := New(stable, made, []corev1.Service{*fixture.NewService("web").V()}, "")
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func TestTrafficIsCountedByOwnerNotByLabel(t *testing.T) {
	stablePods := map[string]string{"app": "web", "track": "stable"}
	canaryPods := map[string]string{"app": "web", "track": "canary"}
	stable := []metav1.PartialObjectMetadata{pod("s1", "web", stablePods), pod("s2", "web", stablePods), pod("s3", "web", stablePods)}
	tests := []struct {
		name     string
		canary   string
		pods     []metav1.PartialObjectMetadata
		want     string // ReadyEndpoints
		others   string
		warnings string
	}{
		{"ship's canary", "ship", []metav1.PartialObjectMetadata{pod("c1", "web-canary", canaryPods)}, "map[canary:1 stable:3]", "", ""},
		// The walkthrough's layout: stable's selector app=web matches the
		// hand-made canary's pods, which once counted as stable.
		{"a hand-made canary", "", []metav1.PartialObjectMetadata{pod("c1", "web-canary", canaryPods)}, "map[other:1 stable:3]", "web-canary",
			"service web sends 25.0% of its ready endpoints to pods of no Deployment of release web: web-canary"},
		// A canary ship made, whose role label was removed.
		{"a canary without its role label", "unlabelled", []metav1.PartialObjectMetadata{pod("c1", "web-canary", canaryPods)}, "map[other:1 stable:3]", "web-canary", ""},
		{"pods of other controllers", "ship", []metav1.PartialObjectMetadata{
			pod("bare", "", stablePods), controlledBy("db-0", "StatefulSet", "db"), controlledBy("rs-x", "ReplicaSet", "handmade"),
		}, "map[other:3 stable:3]", "pod/bare 1, replicaset/handmade 1, statefulset/db 1", ""},
		{"a pod no longer listed", "ship", nil, "map[other:1 stable:3]", "pod/gone", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pods := append(append([]metav1.PartialObjectMetadata{}, stable...), tt.pods...)
			names := []string{"s1", "s2", "s3"}
			for _, p := range tt.pods {
				names = append(names, p.Name)
			}
			if tt.pods == nil {
				names = append(names, "gone")
			}
			st := Summarize(webRelease(t, tt.canary), NewEndpoints([]discoveryv1.EndpointSlice{fixture.NewEndpointSlice("web", names...)}, pods))
			svc := st.Services[0]
			if got := fmt.Sprint(svc.ReadyEndpoints); got != tt.want {
				t.Errorf("ready endpoints %s, want %s", got, tt.want)
			}
			if got := DescribeOthers(svc.Others, 3); len(svc.Others) > 0 && got != tt.others || len(svc.Others) == 0 && tt.others != "" {
				t.Errorf("others %q, want %q", got, tt.others)
			}
			if !strings.Contains(strings.Join(st.Warnings, "\n"), tt.warnings) {
				t.Errorf("warnings %q lack %q", st.Warnings, tt.warnings)
			}
		})
	}
}

func TestDescribeOthers(t *testing.T) {
	others := []OtherOwner{{Kind: "Deployment", Name: "a", ReadyEndpoints: 2}, {Kind: "Pod", Name: "b", ReadyEndpoints: 1},
		{Kind: "StatefulSet", Name: "c", ReadyEndpoints: 1}, {Kind: "Pod", Name: "d", ReadyEndpoints: 1}}
	for limit, want := range map[int]string{1: "a 2 and 3 more", 3: "a 2, pod/b 1, statefulset/c 1 and 1 more", 4: "a 2, pod/b 1, statefulset/c 1, pod/d 1"} {
		if got := DescribeOthers(others, limit); got != want {
			t.Errorf("limit %d: %q, want %q", limit, got, want)
		}
	}
	if got := DescribeOthers(others[:1], 3); got != "a" {
		t.Errorf("one owner: %q", got)
	}
}
