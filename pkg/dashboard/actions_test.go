package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// An action is planned as --dry-run=client plans it, then run as the
// command runs it, by the same engine; a refusal comes back with its
// reason.
func TestActionsPlanThenRunThroughTheEngine(t *testing.T) {
	var planners []plans.Planner
	e := &fakeEngine{feeds: map[string]*fakeFeed{"prod": newFeed(canary("ctwoc", 25))}}
	e.run = func(target ship.Target, p plans.Planner, o ship.Options) error {
		planners = append(planners, p)
		if target != (ship.Target{Context: "prod", Namespace: "demo", Name: "ctwoc"}) {
			return fmt.Errorf("target %+v", target)
		}
		fmt.Fprintln(o.Progress, "note: the canary keeps serving until every stable pod is updated")
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "ctwoc"}}
		if err := o.Report.Report(ship.Change{Object: d, Line: "deployment.apps/ctwoc promoted"}); err != nil {
			return err
		}
		if o.DryRun == ship.DryRunNone {
			return errors.New(`forbidden: kubectl-ship needs "delete" on deployments.apps in namespace demo (see deploy/rbac/role.yaml)`)
		}
		return nil
	}
	s, ts, client := dashboard(t, e, "prod")
	act := func(path, body string) (int, outcome) {
		t.Helper()
		res, err := client.Do(post(ts.URL+path, body, s.csrf, ""))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out outcome
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, out
	}
	promote := `{"context":"prod","namespace":"demo","name":"ctwoc","action":"promote"}`

	status, plan := act("/api/plan", promote)
	want := outcome{Command: "kubectl ship promote ctwoc",
		Output: "note: the canary keeps serving until every stable pod is updated\ndeployment.apps/ctwoc promoted (dry run)\n"}
	if status != http.StatusOK || plan != want {
		t.Errorf("plan: %d %+v, want %+v", status, plan, want)
	}
	status, run := act("/api/run", promote)
	if status != http.StatusOK || !strings.HasPrefix(run.Error, `forbidden: kubectl-ship needs "delete"`) {
		t.Errorf("run: %d %+v", status, run)
	}
	if len(e.runs) != 2 {
		t.Fatalf("%d runs, want 2", len(e.runs))
	}
	for i, dryRun := range []ship.DryRun{ship.DryRunClient, ship.DryRunNone} {
		o := e.runs[i]
		if o.DryRun != dryRun || o.Command != "kubectl ship promote ctwoc (dashboard)" || !o.Wait || o.Timeout != actionTimeout {
			t.Errorf("run %d: %+v", i, o)
		}
		if _, ok := planners[i].(strategy.Promote); !ok {
			t.Errorf("run %d planned with %T", i, planners[i])
		}
	}

	for _, tt := range []struct{ body, want string }{
		{`{"context":"prod","namespace":"demo","name":"ctwoc","action":"rollout"}`, `no action "rollout"`},
		{`{"context":"qa","namespace":"demo","name":"ctwoc","action":"promote"}`, `no release "ctwoc" in namespace "demo" of context "qa" on this dashboard`},
		{`{"context":"prod","namespace":"demo","name":"ctwoc","action":"switch","to":"red"}`, `the color to switch to: unknown color "red"`},
		{`{"context":"prod","namespace":"demo","name":"ctwoc","action":"scale","replicas":-1}`, "give the number of stable pods, 0 or more"},
		{`{"context":"prod"`, "a JSON request"},
	} {
		res, err := client.Do(post(ts.URL+"/api/plan", tt.body, s.csrf, ""))
		if err != nil {
			t.Fatal(err)
		}
		var out outcome
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusBadRequest || !strings.Contains(out.Error, tt.want) {
			t.Errorf("%s: %s %+v (%v), want 400 with %q", tt.body, res.Status, out, err, tt.want)
		}
	}
	if len(e.runs) != 2 {
		t.Errorf("%d runs after the bad requests, want still 2", len(e.runs))
	}
}

// The buttons follow the strategy: promote and abort for a canary, a
// switch to each color of a blue-green release, the serving one disabled.
func TestActionsFor(t *testing.T) {
	serving, idle := true, false
	bg := canary("shop", 0)
	bg.Strategy = release.StrategyBlueGreen
	bg.Deployments[0].Role, bg.Deployments[0].Serving = "blue", &serving
	bg.Deployments[1].Role, bg.Deployments[1].Serving = "green", &idle
	plain := canary("web", 0)
	plain.Strategy, plain.Deployments = release.StrategyNone, plain.Deployments[:1]
	tests := []struct {
		name string
		st   *release.Status
		want string
	}{
		{"canary", canary("ctwoc", 25), "promote:Promote abort:Abort"},
		{"blue-green", bg, "switch:blue serves(disabled) switch:Switch to green"},
		{"no strategy", plain, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range actionsFor(tt.st) {
				s := a.Name + ":" + a.Label
				if a.Disabled {
					s += "(disabled)"
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}
