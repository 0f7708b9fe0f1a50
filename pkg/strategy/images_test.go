package strategy

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubectl-ship/kubectl-ship/internal/fixture"
)

// initAndSidecar is a pod of one app container (web), an init container
// running the app's own image (migrate) and a native sidecar (log).
func initAndSidecar() *appsv1.Deployment {
	return fixture.NewDeployment("web").WithInit("migrate", "web:1").WithSidecar("log", "fluent:1").V()
}

func TestSetImagesCoversInitContainersAndSidecars(t *testing.T) {
	tests := []struct {
		name   string
		images []Image
		want   string // imageList of the result, or the error
	}{
		{"bare image: the one app container only", images("web:2"), "web=web:2, migrate=web:1, log=fluent:1"},
		{"init container by name", images("migrate=web:2"), "web=web:1, migrate=web:2, log=fluent:1"},
		{"sidecar by name", images("log=fluent:2"), "web=web:1, migrate=web:1, log=fluent:2"},
		{"all three", images("web:2", "migrate=web:2", "log=fluent:2"), "web=web:2, migrate=web:2, log=fluent:2"},
		{"unknown container", images("db=pg:2"),
			`container "db" not found: the pods have 1 container (web), 1 init container (migrate) and 1 sidecar (log)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := setImages(initAndSidecar().Spec.Template.Spec, tt.images)
			got := imageList(spec)
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The count is of app containers, and each type is named apart: it once said
// "the pods have 2 containers (app, migrate, proxy, sidecar)".
func TestBareImageWithSeveralAppContainers(t *testing.T) {
	d := fixture.NewDeployment("web").WithContainer("proxy", "envoy:1").WithInit("migrate", "web:1").WithSidecar("log", "fluent:1").V()
	_, err := setImages(d.Spec.Template.Spec, images("web:2"))
	want := "the pods have 2 containers (proxy, web), 1 init container (migrate) and 1 sidecar (log): name one as CONTAINER=IMAGE (an image without a name is for a pod's one app container)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestSharedImageNotes(t *testing.T) {
	before := initAndSidecar().Spec.Template.Spec
	after, _ := setImages(before, images("web:2"))
	notes := sharedImageNotes(&before, &after)
	want := "note: init container migrate keeps web:1, the image container web had: give migrate=IMAGE to change it too"
	if len(notes) != 1 || notes[0] != want {
		t.Errorf("notes = %q\nwant    %q", notes, want)
	}
	after, _ = setImages(before, images("web:2", "migrate=web:2"))
	if notes := sharedImageNotes(&before, &after); len(notes) != 0 {
		t.Errorf("both changed, yet notes %q", notes)
	}
}

// A canary differing from stable only in an init container is a canary,
// and changing that image again is a change, refused without --replace.
func TestCanaryOfAnInitContainerImage(t *testing.T) {
	stable := initAndSidecar()
	if _, err := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("migrate=web:1")}); err == nil ||
		!strings.Contains(err.Error(), "already runs web=web:1, migrate=web:1, log=fluent:1: a canary needs a different image") {
		t.Errorf("same images as stable: %v", err)
	}
	first, err := planCanary(newRelease(stable, nil), CanaryRequest{Images: images("migrate=migrate:2"), Weight: 25})
	if err != nil {
		t.Fatal(err)
	}
	canary := first.Steps[0].Object.(*appsv1.Deployment)
	canary.ResourceVersion = "8"
	rel := newRelease(stable, canary)

	_, err = planCanary(rel, CanaryRequest{Images: images("migrate=migrate:3"), Weight: 25})
	if want := "canary web-canary runs web=web:1, migrate=migrate:2, log=fluent:1, not web=web:1, migrate=migrate:3, log=fluent:1: pass --replace"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a new init image without --replace: %v\nwant %s", err, want)
	}
	plan, err := planCanary(rel, CanaryRequest{Images: images("migrate=migrate:3"), Weight: 25, Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Writes() || plan.Steps[0].Operation != "configured" {
		t.Fatalf("--replace should roll the canary: %+v", plan)
	}
	next := plan.Steps[0].Object.(*appsv1.Deployment)
	if got := next.Spec.Template.Spec.InitContainers[0].Image; got != "migrate:3" {
		t.Errorf("the canary's init container runs %s", got)
	}
}

func TestImageListEscapesWhatTheClusterHolds(t *testing.T) {
	d := fixture.NewDeployment("web").WithImage("web:1\x1b]52;c;aGk=\x07").WithReplicas(1).V()
	if got, want := imageList(d.Spec.Template.Spec), `web=web:1^[]52;c;aGk=\x07`; got != want {
		t.Errorf("imageList = %q, want %q", got, want)
	}
}
