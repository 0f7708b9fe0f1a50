package strategy

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// withCanary is the release of stable with a canary of the given size, its
// weight annotation set when weight is not 0.
func withCanary(stable *appsv1.Deployment, replicas, weight int32) *release.Release {
	plan, err := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("web:2"), Replicas: replicas})
	if err != nil {
		panic(err)
	}
	canary := plan.Steps[0].Object.(*appsv1.Deployment)
	canary.ResourceVersion = "8"
	if weight > 0 {
		canary.Annotations[release.AnnotationWeight] = fmt.Sprint(weight)
	}
	return newRelease(stable, canary)
}

// sizes describes the replica counts a plan writes: "web=6 web-canary=2".
func sizes(p plans.Plan) string {
	var out []string
	for _, s := range p.Steps {
		if d, ok := s.Object.(*appsv1.Deployment); ok && s.Action == plans.Patch {
			out = append(out, fmt.Sprintf("%s=%d", d.Name, *d.Spec.Replicas))
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestPlanScale(t *testing.T) {
	three := func() *appsv1.Deployment { return fixture.NewDeployment("web").V() }
	emptyStable := withCanary(fixture.NewDeployment("web").WithReplicas(0).V(), 2, 0)
	emptyCanary := withCanary(three(), 1, 0)
	*emptyCanary.Canary.Spec.Replicas = 0
	tests := []struct {
		name    string
		rel     *release.Release
		req     ScaleRequest
		actions string
		sizes   string
		note    string // one of the notes contains it
	}{
		{"plain deployment", newRelease(three(), nil), ScaleRequest{Replicas: 5},
			"patch web, wait web", "web=5", ""},
		{"already at that size", newRelease(three(), nil), ScaleRequest{Replicas: 3},
			"wait web", "", "release web is already at that size: nothing to scale"},
		{"canary keeps its recorded weight", withCanary(three(), 1, 25), ScaleRequest{Replicas: 6},
			"patch web-canary, patch web, wait web-canary, wait web", "web-canary=2 web=6", "weight 25.0%: 2 canary pods beside 6 stable"},
		{"canary keeps its current ratio without a weight", withCanary(three(), 1, 0), ScaleRequest{Replicas: 9},
			"patch web-canary, patch web, wait web-canary, wait web", "web-canary=3 web=9", "weight 25.0%: 3 canary pods beside 9 stable"},
		{"recorded weight not reachable says so", withCanary(three(), 1, 10), ScaleRequest{Replicas: 5},
			"patch web, wait web-canary, wait web", "web=5", "weight 10% requested, 16.7% achievable: 1 canary pod beside 5 stable"},
		{"canary of an empty release keeps its size", emptyStable, ScaleRequest{Replicas: 4},
			"patch web, wait web-canary, wait web", "web=4", "has no recorded weight and no share of the pods to keep (0 stable, 2 canary): it stays at 2 pods"},
		{"canary scaled to nothing stays so", emptyCanary, ScaleRequest{Replicas: 4},
			"patch web, wait web-canary, wait web", "web=4", "(3 stable, 0 canary): it stays at 0 pods"},
		{"zero takes the canary too", withCanary(three(), 1, 25), ScaleRequest{Replicas: 0},
			"patch web-canary, patch web, wait web-canary, wait web", "web-canary=0 web=0", "warning: --replicas 0: service web will have no ready endpoints"},
		{"blue-green scales the serving color", greenRelease(release.Green), ScaleRequest{Replicas: 5},
			"patch web-green, wait web-green", "web-green=5", "the idle blue (deployment web) keeps 3 pods (--all-colors scales both)"},
		{"blue-green serving blue", greenRelease(release.Blue), ScaleRequest{Replicas: 2},
			"patch web, wait web", "web=2", "blue (deployment web) serves"},
		{"--all-colors scales both", greenRelease(release.Blue), ScaleRequest{Replicas: 4, AllColors: true},
			"patch web, patch web-green, wait web, wait web-green", "web-green=4 web=4", ""},
		{"paused deployment scales without a wait", newRelease(fixture.NewDeployment("web").Paused().V(), nil), ScaleRequest{Replicas: 4},
			"patch web", "web=4", "deployment web is paused: it scales, but ship does not wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := planScale(tt.rel, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := actions(plan); got != tt.actions {
				t.Errorf("steps: %s, want %s", got, tt.actions)
			}
			if got := sizes(plan); got != tt.sizes {
				t.Errorf("sizes: %s, want %s", got, tt.sizes)
			}
			if notes := strings.Join(plan.Notes, "\n"); !strings.Contains(notes, tt.note) {
				t.Errorf("notes lack %q:\n%s", tt.note, notes)
			}
			for _, s := range plan.Steps {
				if s.Action == plans.Patch && (s.Operation != "scaled" || !strings.Contains(string(s.Patch), `"resourceVersion"`)) {
					t.Errorf("patch %s: operation %q, want scaled and a resourceVersion", s.Patch, s.Operation)
				}
			}
		})
	}
}

// Without a recorded weight the canary is written first and records the
// share it keeps: a re-run after the first write aims at the same share.
func TestPlanScaleRecordsTheShareItKeeps(t *testing.T) {
	rel := withCanary(fixture.NewDeployment("web").V(), 1, 0)
	plan, err := planScale(rel, ScaleRequest{Replicas: 6})
	if err != nil {
		t.Fatal(err)
	}
	canary := plan.Steps[0].Object.(*appsv1.Deployment)
	if canary.Name != "web-canary" || *canary.Spec.Replicas != 2 || canary.Annotations[release.AnnotationWeight] != "25" {
		t.Fatalf("first write: %s with %d pods, weight %q", canary.Name, *canary.Spec.Replicas, canary.Annotations[release.AnnotationWeight])
	}
	// Interrupted right after it: the re-run still gives 6 stable beside 2.
	rerun, err := planScale(newRelease(rel.Stable, canary), ScaleRequest{Replicas: 6})
	if err != nil || actions(rerun) != "patch web, wait web-canary, wait web" {
		t.Fatalf("re-run: %s %v", actions(rerun), err)
	}
}

func TestPlanScaleChangesOnlyReplicas(t *testing.T) {
	rel := withCanary(fixture.NewDeployment("web").V(), 1, 25)
	plan, err := planScale(rel, ScaleRequest{Replicas: 6})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(plan.Steps[1].Patch), `{"metadata":{"resourceVersion":"7"},"spec":{"replicas":6}}`; got != want {
		t.Errorf("stable patch = %s, want %s", got, want)
	}
	if *rel.Stable.Spec.Replicas != 3 || *rel.Canary.Spec.Replicas != 1 {
		t.Error("planning changed the snapshot")
	}
}

func TestPlanScaleErrors(t *testing.T) {
	disagree := greenRelease(release.Blue)
	other := newService("web-2", map[string]string{"app": "web", "version": "2.0.0"})
	disagree.Services = append(disagree.Services, other)
	unrouted := greenRelease(release.Blue)
	delete(unrouted.Services[0].Spec.Selector, "version")

	tests := []struct {
		name string
		rel  *release.Release
		req  ScaleRequest
		want string
	}{
		{"--all-colors without green", newRelease(fixture.NewDeployment("web").V(), nil), ScaleRequest{Replicas: 2, AllColors: true},
			"--all-colors: release web has no green deployment, so it has no colors: scale it without --all-colors"},
		{"services disagree on the color", disagree, ScaleRequest{Replicas: 2},
			"the services disagree: web route to blue, web-2 to green; name the color to serve with --to, or scale both colors with --all-colors"},
		{"services route to no color yet", unrouted, ScaleRequest{Replicas: 2},
			"service web does not route to either color of release web yet: finish 'kubectl ship bluegreen web' or scale both colors with --all-colors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planScale(tt.rel, tt.req)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestCanaryShare(t *testing.T) {
	tests := []struct {
		name           string
		stable, canary int32
		annotation     string
		recorded       int32 // 0: none readable
		ratio          int32 // 0: no share
	}{
		{"recorded weight", 3, 3, "25", 25, 50},
		{"ratio when none is recorded", 2, 1, "", 0, 33},
		{"unreadable annotation", 3, 1, "lots", 0, 25},
		{"out of range annotation", 3, 1, "100", 0, 25},
		{"ratio is at least 1%", 1000, 1, "", 0, 1},
		{"ratio is at most 99%", 1, 1000, "", 0, 99},
		{"no stable pods", 0, 2, "", 0, 0},
		{"no canary pods", 3, 0, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stable := fixture.NewDeployment("web").WithReplicas(tt.stable).V()
			canary := fixture.NewDeployment("web-canary").WithImage("web:2").WithReplicas(tt.canary).V()
			if tt.annotation != "" {
				canary.Annotations = map[string]string{release.AnnotationWeight: tt.annotation}
			}
			if w, ok := recordedWeight(canary); ok != (tt.recorded > 0) || (ok && w != tt.recorded) {
				t.Errorf("recordedWeight = %d, %v; want %d", w, ok, tt.recorded)
			}
			if r, ok := currentRatio(stable, canary); ok != (tt.ratio > 0) || (ok && r != tt.ratio) {
				t.Errorf("currentRatio = %d, %v; want %d", r, ok, tt.ratio)
			}
		})
	}
}
