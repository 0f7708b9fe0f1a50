package strategy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// listed reads release ctwoc as kube.LoadRelease does: from the namespace's
// Deployments, stable among them, and the Service ctwoc selecting selector.
func listed(t *testing.T, selector map[string]string, stable *appsv1.Deployment, others ...*appsv1.Deployment) *release.Release {
	t.Helper()
	deployments := []appsv1.Deployment{*stable.DeepCopy()}
	for _, d := range others {
		deployments = append(deployments, *d.DeepCopy())
	}
	rel, err := release.New(stable.DeepCopy(), deployments, []corev1.Service{*fixture.NewService("ctwoc").WithSelector(selector).V()}, "")
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// adoptedBy carries out plan's one patch: the Deployment as it leaves it.
// The controller must have seen it before the next command: its
// annotations bumped its generation.
func adoptedBy(t *testing.T, plan plans.Plan) *appsv1.Deployment {
	t.Helper()
	if got := actions(plan); got != "patch ctwoc-canary, wait ctwoc-canary" && got != "patch ctwoc-green, wait ctwoc-green" || plan.Steps[1].Until != plans.Observed {
		t.Fatalf("want a patch, then a wait until it is observed; got %s", got)
	}
	return plan.Steps[0].Object.(*appsv1.Deployment)
}

var (
	seedApp  = map[string]string{"app": "ctwoc"}
	seedBlue = map[string]string{"app": "ctwoc", "version": "1.0.0"}
)

func TestPlanAdopt(t *testing.T) {
	stable := fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").V()
	tests := []struct {
		name     string
		other    *appsv1.Deployment
		selector map[string]string
		want     string // the notes
	}{
		{"canary", fixture.NewSeedDeployment("ctwoc-canary", "canary", "2.0.0").WithReplicas(1).V(), seedApp,
			"adopt deployment ctwoc-canary as the canary of release ctwoc: labels kubectl-ship.dev/release=ctwoc, kubectl-ship.dev/role=canary; annotations kubectl-ship.dev/adopted=true, kubectl-ship.dev/weight=25; its name, selector, pod template and pods stay as they are\n" +
				"its weight is its share of the pods now: 1 canary pod beside 3 stable"},
		{"green", fixture.NewSeedDeployment("ctwoc-green", "stable", "2.0.0").V(), seedBlue,
			"adopt deployment ctwoc-green as the green of release ctwoc: labels kubectl-ship.dev/release=ctwoc, kubectl-ship.dev/role=green; annotations kubectl-ship.dev/adopted=true, kubectl-ship.dev/color-key=version, kubectl-ship.dev/new-color=green; its name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := planAdopt(listed(t, tt.selector, stable, tt.other))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(plan.Notes, "\n"); !strings.HasPrefix(got, tt.want) {
				t.Errorf("notes:\n%s\nwant:\n%s", got, tt.want)
			}
			adopted := adoptedBy(t, plan)
			// Only its metadata: a new template would restart its pods.
			if patch := string(plan.Steps[0].Patch); strings.Contains(patch, "spec") || !strings.Contains(patch, `"resourceVersion":"7"`) {
				t.Errorf("patch %s", patch)
			}
			again := listed(t, tt.selector, stable, adopted)
			if again.HandMade() != nil || again.Canary == nil && again.Green == nil {
				t.Fatalf("adopted, the release still has %v made by hand", again.HandMade())
			}
			if plan, err := planAdopt(again); err != nil || plan.Writes() || len(plan.Steps) != 1 || !strings.Contains(plan.Notes[0], "is already kubectl-ship's: nothing to adopt") {
				t.Errorf("adopt again: %v, %+v", err, plan)
			}
		})
	}
	var nothing *plans.NothingLeftError
	if _, err := planAdopt(listed(t, seedApp, stable)); !errors.As(err, &nothing) || !strings.Contains(err.Error(), "release ctwoc has no canary or green made by hand to adopt") {
		t.Errorf("a release with nothing to adopt: %v", err)
	}
}

// A careful user confirms what kubectl-ship recognised before any verb
// deletes or rolls it: every verb that changes the release refuses, naming
// the command that adopts it.
func TestVerbsRefuseWhatWasMadeByHand(t *testing.T) {
	stable := fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").V()
	canary := listed(t, seedApp, stable, fixture.NewSeedDeployment("ctwoc-canary", "canary", "2.0.0").WithReplicas(1).V())
	green := listed(t, seedBlue, stable, fixture.NewSeedDeployment("ctwoc-green", "stable", "2.0.0").V())
	planners := []plans.Planner{Promote{}, Abort{}, Canary{Request: CanaryRequest{Images: images("example/ctwoc:2.0.0"), Weight: 50}},
		Scale{Request: ScaleRequest{Replicas: 6}}, Switch{}, Cleanup{Delete: true}, BlueGreen{Request: BlueGreenRequest{Images: images("example/ctwoc:3.0.0")}},
		SetImage{Images: images("example/ctwoc:2.0.0")}}
	for _, p := range planners {
		for rel, cmd := range map[*release.Release]string{canary: "--canary ctwoc-canary", green: "--green ctwoc-green"} {
			_, err := p.Plan(&plans.Snapshot{Release: rel})
			if err == nil || !strings.Contains(err.Error(), "was made by hand: adopt it first with 'kubectl ship adopt ctwoc "+cmd+"'") {
				t.Errorf("%s %s: %v", p.Verb(), cmd, err)
			}
		}
	}
}

// Promoted, the stable pods keep every label a selector holds, and take the
// canary's version where none does; never its track.
func TestPromoteAnAdoptedCanaryKeepsTheSelectedLabels(t *testing.T) {
	tests := []struct {
		name     string
		selector []string
		want     string
		note     string
	}{
		{"the walkthrough's selector", []string{"app", "track", "version"}, "app=ctwoc,track=stable,version=1.0.0",
			"note: deployment ctwoc's selector holds the stable pods' version=1.0.0, so they keep that label while they run the canary's template (version=2.0.0 on the canary)"},
		{"selector app and track", []string{"app", "track"}, "app=ctwoc,track=stable,version=2.0.0", ""},
		{"selector app", []string{"app"}, "app=ctwoc,track=stable,version=2.0.0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stable := fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").WithSelectorKeys(tt.selector...).V()
			canary := fixture.NewSeedDeployment("ctwoc-canary", "canary", "2.0.0").WithReplicas(1).V()
			plan, err := planAdopt(listed(t, seedApp, stable, canary))
			if err != nil {
				t.Fatal(err)
			}
			rel := listed(t, seedApp, stable, adoptedBy(t, plan))
			if plan, err = planPromote(rel); err != nil {
				t.Fatal(err)
			}
			promoted := plan.Steps[0].Object.(*appsv1.Deployment)
			if got := labels.Set(promoted.Spec.Template.Labels).String(); got != tt.want || promoted.Spec.Template.Spec.Containers[0].Image != "example/ctwoc:2.0.0" {
				t.Errorf("promoted pods %s running %s, want %s", got, promoted.Spec.Template.Spec.Containers[0].Image, tt.want)
			}
			if got := strings.Join(plan.Notes, "\n"); got != tt.note {
				t.Errorf("notes %q, want %q", got, tt.note)
			}
			rel.Stable = promoted
			if _, err := planAbort(rel); err == nil || !strings.Contains(err.Error(), "a promote was started") {
				t.Errorf("abort once promoted: %v", err)
			}
		})
	}
}

// The walkthrough's green selector holds its version: it cannot come up as
// another, and ending the release hands blue back its own.
func TestAdoptedGreenWhoseSelectorHoldsTheVersion(t *testing.T) {
	stable := fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").V()
	plan, err := planAdopt(listed(t, seedBlue, stable, fixture.NewSeedDeployment("ctwoc-green", "stable", "2.0.0").V()))
	if err != nil {
		t.Fatal(err)
	}
	green := adoptedBy(t, plan)
	_, err = planBlueGreen(listed(t, seedBlue, stable, green), BlueGreenRequest{Images: images("example/ctwoc:3.0.0")}, nil)
	if err == nil || !strings.Contains(err.Error(), "deployment ctwoc-green's selector holds version=2.0.0, which cannot change, so it cannot come up as version=3.0.0: end this blue-green release with 'kubectl ship bluegreen cleanup ctwoc --delete'") {
		t.Errorf("bluegreen into a held color: %v", err)
	}
	serving := listed(t, map[string]string{"app": "ctwoc", "version": "2.0.0"}, stable, green)
	if plan, err = planCleanup(serving, true); err != nil {
		t.Fatal(err)
	}
	blue := plan.Steps[0].Object.(*appsv1.Deployment)
	svc := plan.Steps[2].Object.(*corev1.Service)
	if got := fmt.Sprint(blue.Spec.Template.Labels["version"], " ", blue.Spec.Template.Spec.Containers[0].Image, " ", svc.Spec.Selector["version"]); got != "1.0.0 example/ctwoc:2.0.0 1.0.0" {
		t.Errorf("hand-back: blue's pods version, image, and the service's version: %s", got)
	}
	if note := plan.Notes[len(plan.Notes)-1]; !strings.Contains(note, "deployment ctwoc's selector holds version=1.0.0, which cannot change") {
		t.Errorf("hand-back notes: %q", plan.Notes)
	}
}

// A green made by hand with fewer pods than blue serves with: adopt and the
// switch say first that its pods would take blue's traffic.
func TestAdoptedGreenWithFewerPodsIsWarned(t *testing.T) {
	stable := fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").V()
	plan, err := planAdopt(listed(t, seedBlue, stable, fixture.NewSeedDeployment("ctwoc-green", "stable", "2.0.0").WithReplicas(1).V()))
	if err != nil {
		t.Fatal(err)
	}
	const warning = "warning: green (deployment ctwoc-green) runs 1 pod, and blue serves with 3: after the switch, what 3 pods serve goes to 1; scale it first ('kubectl scale deployment/ctwoc-green --replicas 3')"
	if notes := strings.Join(plan.Notes, "\n"); !strings.Contains(notes, warning) {
		t.Errorf("adopt should warn:\n%s", notes)
	}
	green := adoptedBy(t, plan)
	sw, err := planSwitch(listed(t, seedBlue, stable, green), "", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(sw.Notes, "\n"); !strings.Contains(notes, warning) {
		t.Errorf("the switch should warn:\n%s", notes)
	}
}
