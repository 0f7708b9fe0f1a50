package run

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/fleet"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// newFleet is a fleet run of the canary command over out.
func newFleet(out *bytes.Buffer) Fleet {
	return Fleet{
		Select:    func() ([]string, error) { return []string{"east", "west"}, nil },
		OnFailure: fleet.Abort, Parallel: 2, Out: out, ErrOut: &bytes.Buffer{}, Reporters: reporters{},
		Command: "kubectl ship canary web --image web:2 --contexts east,west", Connection: " --namespace shop",
	}
}

func TestFleetWaves(t *testing.T) {
	tests := []struct {
		name        string
		waves       []string
		selectErr   error
		contextsErr error
		wantRuns    []string
		wantErr     string
	}{
		{name: "no --wave: one wave of the contexts selected", wantRuns: []string{"run east web canary", "run west web canary"}},
		{name: "the waves matched against the kubeconfig's contexts", waves: []string{"prod-e*", "prod-west"},
			wantRuns: []string{"run prod-east web canary", "run prod-west web canary"}},
		{name: "a wave that matches no context runs nothing", waves: []string{"prod-north"},
			wantErr: `--wave 1: context "prod-north" is not in the kubeconfig (its contexts: east, prod-east, prod-west, west)`},
		{name: "a kubeconfig that cannot be read runs nothing", waves: []string{"prod-*"},
			contextsErr: errors.New("invalid configuration: no configuration has been provided"),
			wantErr:     "invalid configuration: no configuration has been provided"},
		{name: "a selection that fails runs nothing", selectErr: errors.New(`--contexts: "north" is not a context`),
			wantErr: `--contexts: "north" is not a context`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := newFakeEngine("east", "prod-east", "prod-west", "west")
			engine.contextsErr = tt.contextsErr
			var out bytes.Buffer
			f := newFleet(&out)
			f.Waves = tt.waves
			if tt.selectErr != nil {
				f.Select = func() ([]string, error) { return nil, tt.selectErr }
			}
			report, err := f.Run(context.Background(), engine, ship.Target{Name: "web"}, planner("canary"), ship.Options{})
			if got := errText(err); got != tt.wantErr {
				t.Fatalf("error = %q, want %q", got, tt.wantErr)
			}
			if tt.wantErr != "" {
				if report != nil {
					t.Errorf("a fleet that could not be planned has a report: %+v", report)
				}
				if len(engine.runs()) > 0 {
					t.Errorf("a fleet that could not be planned ran %q", engine.runs())
				}
				return
			}
			if !slices.Equal(engine.runs(), tt.wantRuns) {
				t.Errorf("ran %q, want %q", engine.runs(), tt.wantRuns)
			}
			if !report.Finished() || report.ExitCode() != 0 {
				t.Errorf("report: finished %v, exit %d; want every cluster done", report.Finished(), report.ExitCode())
			}
		})
	}
}

func TestFleetHints(t *testing.T) {
	tests := []struct {
		name     string
		rollback Rollback
		want     fleet.Hints
	}{
		{name: "a verb without a rollback continues only",
			want: fleet.Hints{Continue: "kubectl ship canary web --image web:2 --contexts east,west --namespace shop"}},
		{name: "a verb with a rollback says how to roll back",
			rollback: Rollback{Planner: planner("abort"), Command: "kubectl ship abort web"},
			want: fleet.Hints{Continue: "kubectl ship canary web --image web:2 --contexts east,west --namespace shop",
				Rollback: "kubectl ship abort web --namespace shop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			f := newFleet(&out)
			f.Rollback = tt.rollback
			// A client dry run: no health watch beside the operation.
			report, err := f.Run(context.Background(), newFakeEngine(), ship.Target{Name: "web"}, planner("canary"),
				ship.Options{DryRun: ship.DryRunClient})
			if err != nil {
				t.Fatal(err)
			}
			if report.Hints != tt.want {
				t.Errorf("hints = %+v, want %+v", report.Hints, tt.want)
			}
			if !strings.Contains(out.String(), "[east] deployment.apps/web-canary created") {
				t.Errorf("the clusters' changes are not printed by the reporters, prefixed with their context:\n%s", out.String())
			}
		})
	}
}

func TestFleetCrashSeamInOneContext(t *testing.T) {
	t.Setenv(crashAfterStepEnv, "2")
	t.Setenv(crashInContextEnv, "west")
	engine := newFakeEngine()
	var out bytes.Buffer
	if _, err := newFleet(&out).Run(context.Background(), engine, ship.Target{Name: "web"}, planner("canary"), Options(ship.Options{})); err != nil {
		t.Fatal(err)
	}
	if east, west := engine.options["east"].CrashAfterWrite, engine.options["west"].CrashAfterWrite; east != 0 || west != 2 {
		t.Errorf("CrashAfterWrite: east %d, west %d; want 0 and 2 (only %s's run crashes)", east, west, crashInContextEnv)
	}
}
