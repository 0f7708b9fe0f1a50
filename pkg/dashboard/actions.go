package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
)

// actionTimeout bounds an action run from the page, as --timeout does the
// command's.
const actionTimeout = 5 * time.Minute

// request is what the page asks of a release.
type request struct {
	Context   string `json:"context"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Action    string `json:"action"`
	// To is the color of a switch; Replicas the size of a scale.
	To       string `json:"to,omitempty"`
	Replicas *int32 `json:"replicas,omitempty"`
}

// action is a verb of the CLI that the page offers: its buttons for a
// release's status, and what it runs, as the planner of the same verb and
// the command line the release's record keeps.
type action struct {
	name    string
	buttons func(st *release.Status) []actionView
	plan    func(r request) (plans.Planner, string, error)
}

// actionView is a button of a release's page.
type actionView struct {
	Name, Label, To, Help     string
	Primary, Danger, Disabled bool
}

// actions are what the page offers, in the order of its buttons. Approving
// a release that waits for an approval is one more: its buttons show where
// the status says the release waits, and it runs the approval's planner.
var actions = []action{
	{
		name: "promote",
		buttons: func(st *release.Status) []actionView {
			if st.Strategy != release.StrategyCanary {
				return nil
			}
			return []actionView{{Name: "promote", Label: "Promote", Primary: true,
				Help: "Roll the stable Deployment to the canary's template, then remove the canary"}}
		},
		plan: func(r request) (plans.Planner, string, error) {
			return strategy.Promote{}, "kubectl ship promote " + r.Name, nil
		},
	},
	{
		name: "abort",
		buttons: func(st *release.Status) []actionView {
			if st.Strategy != release.StrategyCanary {
				return nil
			}
			return []actionView{{Name: "abort", Label: "Abort", Danger: true,
				Help: "Remove the canary; the stable Deployment is untouched"}}
		},
		plan: func(r request) (plans.Planner, string, error) {
			return strategy.Abort{}, "kubectl ship abort " + r.Name, nil
		},
	},
	{
		name: "switch",
		buttons: func(st *release.Status) []actionView {
			if st.Strategy != release.StrategyBlueGreen {
				return nil
			}
			var out []actionView
			for _, color := range []release.Color{release.Blue, release.Green} {
				b := actionView{Name: "switch", To: string(color), Label: "Switch to " + string(color),
					Help: "Point the Services at " + string(color)}
				for _, d := range st.Deployments {
					if d.Role == string(color) && d.Serving != nil && *d.Serving {
						b.Label, b.Disabled = string(color)+" serves", true
					}
				}
				out = append(out, b)
			}
			return out
		},
		plan: func(r request) (plans.Planner, string, error) {
			color, err := release.ParseColor(r.To)
			if err != nil {
				return nil, "", fmt.Errorf("the color to switch to: %w", err)
			}
			return strategy.Switch{To: color}, "kubectl ship bluegreen-switch " + r.Name + " --to " + string(color), nil
		},
	},
	{
		// scale has an input of its own on the page, not a button here.
		name:    "scale",
		buttons: func(*release.Status) []actionView { return nil },
		plan: func(r request) (plans.Planner, string, error) {
			if r.Replicas == nil || *r.Replicas < 0 {
				return nil, "", fmt.Errorf("give the number of stable pods, 0 or more")
			}
			n := *r.Replicas
			return strategy.Scale{Request: strategy.ScaleRequest{Replicas: n}}, "kubectl ship scale " + r.Name + " --replicas " + strconv.Itoa(int(n)), nil
		},
	},
}

// actionsFor are the buttons of a release's page.
func actionsFor(st *release.Status) []actionView {
	var out []actionView
	for _, a := range actions {
		out = append(out, a.buttons(st)...)
	}
	return out
}

// outcome is what an action, or its plan, says: its lines as the command
// prints them, and its error.
type outcome struct {
	// Command is the command line the action is, for the confirmation.
	Command string `json:"command,omitempty"`
	Output  string `json:"output"`
	Error   string `json:"error,omitempty"`
}

// perform plans (dryRun) or runs r's action through the engine, as the
// command would: the same lock, access check, record and identity. The
// plan's text is what the command prints with --dry-run=client.
func (s *Server) perform(ctx context.Context, r request, dryRun bool) (outcome, error) {
	var a *action
	for i := range actions {
		if actions[i].name == r.Action {
			a = &actions[i]
		}
	}
	if a == nil {
		return outcome{}, fmt.Errorf("no action %q", r.Action)
	}
	c := s.cluster(r.Context)
	if c == nil || r.Name == "" || r.Namespace == "" {
		return outcome{}, fmt.Errorf("no release %q in namespace %q of context %q on this dashboard", r.Name, r.Namespace, r.Context)
	}
	planner, command, err := a.plan(r)
	if err != nil {
		return outcome{}, err
	}
	t := c.target
	t.Namespace, t.Name = r.Namespace, r.Name
	var out bytes.Buffer
	o := ship.Options{DryRun: ship.DryRunNone, Wait: true, Timeout: actionTimeout, Command: command + " (dashboard)",
		Progress: &out, Report: lines{&out, ""}}
	if dryRun {
		o.DryRun, o.Report = ship.DryRunClient, lines{&out, " (dry run)"}
	} else {
		// The operation is the dashboard's, not the request's: a tab
		// closed or reloaded must not cut it short; Ctrl-C does.
		ctx = s.ctx
	}
	_, err = s.engine.Run(ctx, t, planner, o)
	res := outcome{Command: clean(command), Output: cleanLines(out.String())}
	if err != nil {
		res.Error = clean(err.Error())
	}
	return res, nil
}

// cleanLines cleans each line of a text (clean escapes newlines).
func cleanLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = clean(line)
	}
	return strings.Join(lines, "\n")
}

// lines reports each change as its result line, as the command prints it
// without -o: "deployment.apps/web-canary created", then suffix.
type lines struct {
	out    *bytes.Buffer
	suffix string
}

func (l lines) Report(c ship.Change) error {
	_, err := fmt.Fprintln(l.out, c.Line+l.suffix)
	return err
}
