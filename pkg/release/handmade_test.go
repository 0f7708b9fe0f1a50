package release

import (
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// The walkthrough's manifests, as the seed describes them: every selector
// pins all of its pods' labels.
var (
	seedStable = *fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").V()
	seedCanary = *fixture.NewSeedDeployment("ctwoc-canary", "canary", "2.0.0").WithReplicas(1).V()
	seedGreen  = *fixture.NewSeedDeployment("ctwoc-green", "stable", "2.0.0").V()
	// worker shares only the app label with the release.
	worker   = *fixture.NewDeployment("ctwoc-worker").WithReplicas(1).WithSelector(map[string]string{"app": "ctwoc", "role": "worker"}).WithPodLabels(map[string]string{"app": "ctwoc", "role": "worker"}).V()
	byApp    = *fixture.NewService("ctwoc").V()
	toBlue   = *fixture.NewService("ctwoc").WithSelector(map[string]string{"app": "ctwoc", "version": "1.0.0"}).V()
	toGreen  = *fixture.NewService("ctwoc").WithSelector(map[string]string{"app": "ctwoc", "version": "2.0.0"}).V()
	trackOne = func(name string) appsv1.Deployment {
		d := *fixture.NewSeedDeployment(name, name, "2.0.0").WithReplicas(1).V()
		d.Spec.Template.Labels["track"] = "canary"
		return d
	}
)

func TestRecognisesWhatWasMadeByHand(t *testing.T) {
	tests := []struct {
		name        string
		stable      appsv1.Deployment
		others      []appsv1.Deployment
		services    []corev1.Service
		choice      Choice
		want        string // role=deployment of the hand-made member, or the error
		notRelease  bool
		handMadeOff bool // recognised, but not as made by hand
	}{
		{"the seed's canary", seedStable, []appsv1.Deployment{seedCanary, worker}, []corev1.Service{byApp}, Choice{}, "canary=ctwoc-canary", false, false},
		{"a canary beside a stable selecting app alone", *fixture.NewSeedDeployment("ctwoc", "stable", "1.0.0").WithSelectorKeys("app").V(),
			[]appsv1.Deployment{seedCanary}, []corev1.Service{byApp}, Choice{}, "canary=ctwoc-canary", false, false},
		{"the seed's green, blue serving", seedStable, []appsv1.Deployment{seedGreen, seedCanary, worker}, []corev1.Service{toBlue}, Choice{}, "green=ctwoc-green", false, false},
		{"the seed's green, serving", seedStable, []appsv1.Deployment{seedGreen}, []corev1.Service{toGreen}, Choice{}, "green=ctwoc-green", false, false},
		{"only the app label shared", seedStable, []appsv1.Deployment{worker}, []corev1.Service{toBlue}, Choice{}, "", false, false},
		{"another application behind a shared service", *fixture.NewDeployment("ctwoc").WithPodLabels(map[string]string{"app": "ctwoc", "tier": "web"}).V(),
			[]appsv1.Deployment{*fixture.NewDeployment("shop").WithReplicas(1).WithPodLabels(map[string]string{"app": "shop", "tier": "web"}).V()},
			[]corev1.Service{*fixture.NewService("web").WithSelector(map[string]string{"tier": "web"}).V()}, Choice{}, "", false, false},
		{"two candidates", seedStable, []appsv1.Deployment{trackOne("ctwoc-a"), trackOne("ctwoc-b")}, []corev1.Service{byApp}, Choice{},
			"deployments ctwoc-a, ctwoc-b could each be the canary of release ctwoc (its services select their pods): name one with --canary, as in 'kubectl ship adopt ctwoc --canary ctwoc-a'", false, false},
		{"two candidates, one of the conventional name", seedStable, []appsv1.Deployment{trackOne("ctwoc-a"), seedCanary}, []corev1.Service{byApp}, Choice{}, "canary=ctwoc-canary", false, false},
		{"two candidates, one named", seedStable, []appsv1.Deployment{trackOne("ctwoc-a"), trackOne("ctwoc-b")}, []corev1.Service{byApp}, Choice{Canary: "ctwoc-b"}, "canary=ctwoc-b", false, false},
		{"two greens", seedStable, []appsv1.Deployment{*fixture.NewSeedDeployment("ctwoc-v2", "stable", "2.0.0").V(), *fixture.NewSeedDeployment("ctwoc-v3", "stable", "3.0.0").V()},
			[]corev1.Service{toBlue}, Choice{}, "deployments ctwoc-v2, ctwoc-v3 could each be the green of release ctwoc", false, false},
		{"named, not selected", seedStable, []appsv1.Deployment{worker}, []corev1.Service{toBlue}, Choice{Canary: "ctwoc-worker"},
			"--canary ctwoc-worker: service ctwoc (selector app=ctwoc,version=1.0.0) does not select its pods (pod labels app=ctwoc,role=worker), so it is no canary of release ctwoc", false, false},
		{"named, missing", seedStable, nil, []corev1.Service{byApp}, Choice{Canary: "nope"}, "--canary nope: deployment nope not found in namespace ns", false, false},
		{"named, the stable one", seedStable, nil, []corev1.Service{byApp}, Choice{Green: "ctwoc"}, "--green ctwoc: that is the release's own Deployment", false, false},
		{"named green, two labels apart", seedStable, []appsv1.Deployment{seedCanary}, []corev1.Service{toBlue}, Choice{Green: "ctwoc-canary"},
			"--green ctwoc-canary: its pods differ from deployment ctwoc's in 2 labels (track, version)", false, false},
		{"named green, no service switching", seedStable, []appsv1.Deployment{seedGreen}, []corev1.Service{byApp}, Choice{Green: "ctwoc-green"},
			`--green ctwoc-green: no service selects on "version"`, false, false},
		{"asked for the canary itself", seedCanary, []appsv1.Deployment{seedStable}, []corev1.Service{byApp}, Choice{},
			"deployment ctwoc-canary looks like the canary of release ctwoc, made by hand: name the release, ctwoc", true, false},
		{"asked for a serving green", seedGreen, []appsv1.Deployment{seedStable}, []corev1.Service{toGreen}, Choice{},
			"deployment ctwoc-green looks like the green of release ctwoc", true, false},
		{"applications told apart by app alone", *fixture.NewDeployment("a").WithReplicas(1).AppOnly().V(),
			[]appsv1.Deployment{*fixture.NewDeployment("b").WithReplicas(1).AppOnly().V()},
			[]corev1.Service{*fixture.NewService("a").V()}, Choice{}, "", false, false},
		{"ship's canary beside a hand-made one", seedStable, []appsv1.Deployment{owned(seedCanary.DeepCopy(), "ctwoc", RoleCanary), trackOne("ctwoc-a")},
			[]corev1.Service{byApp}, Choice{}, "canary=ctwoc-canary", false, true},
		{"ship's canary, another named", seedStable, []appsv1.Deployment{owned(seedCanary.DeepCopy(), "ctwoc", RoleCanary), trackOne("ctwoc-a")},
			[]corev1.Service{byApp}, Choice{Canary: "ctwoc-a"}, "--canary ctwoc-a: release ctwoc already has a canary of kubectl-ship's, deployment ctwoc-canary", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stable := tt.stable.DeepCopy()
			others := make([]appsv1.Deployment, len(tt.others))
			for i := range tt.others {
				others[i] = *tt.others[i].DeepCopy()
			}
			rel, err := NewChosen(stable, others, tt.services, tt.choice)
			got := ""
			switch {
			case err != nil:
				got = err.Error()
			case rel.Canary != nil:
				got = "canary=" + rel.Canary.Name
			case rel.Green != nil:
				got = "green=" + rel.Green.Name
			}
			if !strings.Contains(got, tt.want) || tt.want == "" && got != "" {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var notRelease *NotReleaseError
			if errors.As(err, &notRelease) != tt.notRelease || tt.notRelease != (rel.memberOf != "") {
				t.Errorf("error %T, member of %q: want a NotReleaseError and a member: %v", err, rel.memberOf, tt.notRelease)
			}
			if err == nil && got != "" && (rel.HandMade() == nil) != tt.handMadeOff {
				t.Errorf("HandMade() = %v", rel.HandMade())
			}
			if d := rel.HandMade(); d != nil && rel.Existing("Deployment", d.Name) != nil {
				t.Errorf("deployment %s is part of the release, not in its way", d.Name)
			}
		})
	}
}

func TestStatusMarksWhatWasMadeByHand(t *testing.T) {
	stable := seedStable.DeepCopy()
	rel, err := New(stable, []appsv1.Deployment{*seedCanary.DeepCopy()}, []corev1.Service{byApp}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := rel.AdoptCommand(); got != "kubectl ship adopt ctwoc --canary ctwoc-canary" {
		t.Errorf("AdoptCommand() = %q", got)
	}
	st := Summarize(rel, NewEndpoints([]discoveryv1.EndpointSlice{fixture.NewEndpointSlice("ctwoc")}, nil))
	if st.Strategy != StrategyCanary || st.Deployments[1].Role != RoleCanary || !st.Deployments[1].HandMade || st.Deployments[1].Adopted || st.Deployments[0].HandMade {
		t.Errorf("status %s: %+v", st.Strategy, st.Deployments)
	}
	if !strings.Contains(strings.Join(st.Warnings, "\n"), "deployment ctwoc-canary, the canary, was made by hand: kubectl-ship changes release ctwoc once it is adopted ('kubectl ship adopt ctwoc --canary ctwoc-canary')") {
		t.Errorf("warnings %q", st.Warnings)
	}

	adopted := owned(seedCanary.DeepCopy(), "ctwoc", RoleCanary)
	adopted.Annotations = map[string]string{AnnotationAdopted: "true"}
	rel, _ = New(stable, []appsv1.Deployment{adopted}, []corev1.Service{byApp}, "")
	st = Summarize(rel, NewEndpoints(nil, nil))
	if d := st.Deployments[1]; !d.HandMade || !d.Adopted || len(st.Warnings) > 0 {
		t.Errorf("adopted: %+v, warnings %q", d, st.Warnings)
	}
}

// list shows a release made by hand once, with its canary or green, in
// either state of a blue-green release.
func TestSummarizeAllListsAHandMadeReleaseOnce(t *testing.T) {
	tests := []struct {
		name        string
		deployments []appsv1.Deployment
		svc         corev1.Service
		want        string
	}{
		{"canary", []appsv1.Deployment{seedStable, seedCanary, *fixture.NewDeployment("shop").WithReplicas(1).AppOnly().V()},
			byApp, "ctwoc:canary shop:none"},
		{"blue serving", []appsv1.Deployment{seedGreen, seedStable}, toBlue, "ctwoc:blue-green"},
		{"green serving", []appsv1.Deployment{seedGreen, seedStable}, toGreen, "ctwoc:blue-green"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var deployments []appsv1.Deployment
			for _, d := range tt.deployments {
				deployments = append(deployments, *d.DeepCopy())
			}
			list := SummarizeAll(deployments, []corev1.Service{tt.svc}, nil, nil, labels.Everything(), nil)
			var got []string
			for _, st := range list.Items {
				got = append(got, st.Name+":"+st.Strategy)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
}
