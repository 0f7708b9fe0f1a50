package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

func TestOptionsReadTheCrashSeam(t *testing.T) {
	t.Setenv(crashAfterStepEnv, "3")
	o := Options(ship.Options{Command: "kubectl ship promote web", Wait: true})
	if o.CrashAfterWrite != 3 || o.Command != "kubectl ship promote web" || !o.Wait {
		t.Errorf("Options = %+v, want the flags' options with CrashAfterWrite 3", o)
	}
	t.Setenv(crashAfterStepEnv, "")
	if o := Options(ship.Options{}); o.CrashAfterWrite != 0 {
		t.Errorf("without %s, CrashAfterWrite = %d, want 0", crashAfterStepEnv, o.CrashAfterWrite)
	}
}

func TestOne(t *testing.T) {
	cutShort := fmt.Errorf("waiting for deployment.apps/web-canary: %w", &kube.WaitError{TimedOut: true})
	tests := []struct {
		name     string
		runErr   error
		flushErr error
		wantErr  string
	}{
		{name: "done, the changes printed", wantErr: ""},
		{name: "a refusal passes unchanged", runErr: errors.New(`release web has no canary`), wantErr: `release web has no canary`},
		{name: "cut short while waiting, the hint added", runErr: cutShort,
			wantErr: "waiting for deployment.apps/web-canary: : run 'kubectl ship promote web' again to finish"},
		{name: "the printer's failure when the run went well", flushErr: errors.New("write /dev/stdout: broken pipe"),
			wantErr: "write /dev/stdout: broken pipe"},
		{name: "the run's failure before the printer's", runErr: errors.New("forbidden"), flushErr: errors.New("broken pipe"),
			wantErr: "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := newFakeEngine()
			engine.runErrs["web"] = tt.runErr
			var out bytes.Buffer
			report := &printer{out: &out, flushErr: tt.flushErr}
			err := One(context.Background(), engine, ship.Target{Name: "web"}, planner("promote"), ship.Options{}, report,
				"run 'kubectl ship promote web' again to finish")
			if got := errText(err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			if want := "deployment.apps/web-canary created\n"; out.String() != want {
				t.Errorf("printed %q, want %q: the printer is flushed however the run ended", out.String(), want)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
