package run

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

func TestEach(t *testing.T) {
	tests := []struct {
		name        string
		releases    Releases
		selected    []string
		selectedErr error
		runErrs     map[string]error
		wantRuns    []string
		wantFailed  []string
		wantErr     string
	}{
		{name: "one release named, its error as it is", releases: Releases{Names: []string{"web"}},
			runErrs:  map[string]error{"web": errors.New("release web has no canary")},
			wantRuns: []string{"web"}, wantErr: "release web has no canary"},
		{name: "several named: on past failures, each told, then counted",
			releases: Releases{Names: []string{"api", "web", "db"}},
			runErrs:  map[string]error{"web": errors.New("release web has no canary")},
			wantRuns: []string{"api", "web", "db"}, wantFailed: []string{"web: release web has no canary"},
			wantErr: "1 of 3 releases failed"},
		{name: "several named, all done", releases: Releases{Names: []string{"api", "web"}, Service: "front"},
			wantRuns: []string{"api", "web"}},
		{name: "the releases a selector matches", releases: Releases{Selector: "tier=web"},
			selected: []string{"web", "www"}, wantRuns: []string{"web", "www"}},
		{name: "a selector that cannot be listed runs nothing", releases: Releases{Selector: "tier=web"},
			selectedErr: errors.New("deployments.apps is forbidden"), wantErr: "deployments.apps is forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := newFakeEngine()
			engine.selected, engine.selectedErr = tt.selected, tt.selectedErr
			var runs, failed []string
			err := tt.releases.Each(context.Background(), engine, func(err error) { failed = append(failed, err.Error()) },
				func(target ship.Target) error {
					if target.Service != tt.releases.Service {
						t.Errorf("release %s run with Service %q, want %q", target.Name, target.Service, tt.releases.Service)
					}
					runs = append(runs, target.Name)
					return tt.runErrs[target.Name]
				})
			if got := errText(err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			if !slices.Equal(runs, tt.wantRuns) {
				t.Errorf("ran %q, want %q", runs, tt.wantRuns)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failures told %q, want %q", failed, tt.wantFailed)
			}
		})
	}
}
