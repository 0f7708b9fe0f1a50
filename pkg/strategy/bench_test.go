package strategy

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// The planners run once per release per command, so their cost matters at
// scale (-l over many releases); these show what a plan costs, mostly the
// strategic merge patches.

func BenchmarkPlanCanary(b *testing.B) {
	stable := newDeployment("web", "web:1", 3).v()
	existing := canaryOf(b, stable, 25)
	cases := []struct {
		name   string
		canary *appsv1.Deployment
		weight int32
	}{
		{"create", nil, 25},
		{"resize", existing, 50},
		{"no change", existing, 25},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rel := newRelease(stable, c.canary)
			req := CanaryRequest{Images: images("web:2"), Weight: c.weight}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := PlanCanary(rel, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPlanPromote(b *testing.B) {
	stable := newDeployment("web", "web:1", 3).v()
	rel := newRelease(stable, canaryOf(b, stable, 25))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanPromote(rel); err != nil {
			b.Fatal(err)
		}
	}
}

// canaryOf returns the canary that PlanCanary creates beside stable.
func canaryOf(b *testing.B, stable *appsv1.Deployment, weight int32) *appsv1.Deployment {
	b.Helper()
	plan, err := PlanCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: weight})
	if err != nil {
		b.Fatal(err)
	}
	return plan.Steps[0].Object.(*appsv1.Deployment)
}
