package plans

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateRefusesWhatTheServerWould(t *testing.T) {
	deployment := func(name string, podLabels map[string]string) *appsv1.Deployment {
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels}},
			},
		}
	}
	long := strings.Repeat("v", 64)
	tests := []struct {
		name string
		step Step
		want string
	}{
		{"valid", Step{Action: Create, Object: deployment("web-canary", map[string]string{"app": "web"})}, ""},
		{"a label value too long", Step{Action: Create, Object: deployment("web-green", map[string]string{"app": "web", "version": long})},
			"deployment web-green would be refused by the API server: spec.template.metadata.labels: Invalid value: \"" + long + "\": must be no more than 63 bytes"},
		{"a Service name with a dot", Step{Action: Create, Object: &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web.v1-preview", Namespace: "ns"}}},
			"service web.v1-preview would be refused by the API server: metadata.name: Invalid value: \"web.v1-preview\""},
		{"a wait is not checked", Step{Action: Wait, Object: &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web.v1"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(Plan{Steps: []Step{tt.step}})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("error = %v\nwant    %s...", err, tt.want)
			}
		})
	}
}
