package strategy

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// The planners run once per release per command, so their cost matters at
// scale (-l over many releases); these show what a plan costs, mostly the
// strategic merge patches.

func BenchmarkPlanCanary(b *testing.B) {
	stable := fixture.NewDeployment("web").V()
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
				if _, err := planCanary(rel, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlan covers the other planners, each from the state it is
// usually run in.
func BenchmarkPlan(b *testing.B) {
	stable := fixture.NewDeployment("web").V()
	canaried := newRelease(stable, canaryOf(b, stable, 25))
	blueServes, greenServes := greenRelease(release.Blue), greenRelease(release.Green)
	cases := []struct {
		name string
		plan func() (plans.Plan, error)
	}{
		{"promote", func() (plans.Plan, error) { return planPromote(canaried) }},
		{"abort", func() (plans.Plan, error) { return planAbort(canaried) }},
		{"scale", func() (plans.Plan, error) { return planScale(canaried, ScaleRequest{Replicas: 6}) }},
		{"set image", func() (plans.Plan, error) { return planSetImage(newRelease(stable, nil), images("web:2")) }},
		{"bluegreen first", func() (plans.Plan, error) {
			return planBlueGreen(newRelease(versioned(), nil), BlueGreenRequest{Images: images("web:2.0.0")}, nil)
		}},
		{"bluegreen next", func() (plans.Plan, error) {
			return planBlueGreen(greenServes, BlueGreenRequest{Images: images("web:3.0.0")}, nil)
		}},
		{"switch", func() (plans.Plan, error) { return planSwitch(blueServes, "", false, 0) }},
		{"cleanup", func() (plans.Plan, error) { return planCleanup(greenServes, false) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.plan(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// canaryOf returns the canary that planCanary creates beside stable.
func canaryOf(b *testing.B, stable *appsv1.Deployment, weight int32) *appsv1.Deployment {
	b.Helper()
	plan, err := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Weight: weight})
	if err != nil {
		b.Fatal(err)
	}
	return plan.Steps[0].Object.(*appsv1.Deployment)
}
