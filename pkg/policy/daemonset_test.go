package policy

import (
	"strings"
	"testing"
)

// A DaemonSet's canary follows steps as numbers of nodes or percentages,
// and refuses, naming it, each field that needs a route or a share of the
// traffic of its own.
func TestValidateDaemonSet(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{steps: [1, "50%"], interval: 2m, checkEvery: 5s, webhooks: ["http://127.0.0.1:1/"], noPromote: true}`, ""},
		{"{route: none}", ""},
		{"{sticky: false}", ""},
		{"{strategy: canary}", ""},
		{"{route: httproute/web}", "spec.route: does not apply to a DaemonSet"},
		{"{weightTotal: 1000}", "spec.weightTotal: does not apply to a DaemonSet"},
		{"{header: X-Canary=1}", "spec.header: does not apply to a DaemonSet"},
		{"{cookie: canary}", "spec.cookie: does not apply to a DaemonSet"},
		{"{sticky: true}", "spec.sticky: does not apply to a DaemonSet"},
		{"{stickySeconds: 60}", "spec.stickySeconds: does not apply to a DaemonSet"},
		{"{strategy: blueGreen}", "spec.strategy: a DaemonSet has no blue-green switch"},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			err := spec(t, tt.doc).ValidateDaemonSet()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// A step may be a percentage, as --steps takes it; anything else that is
// not a number is refused.
func TestStepsTakePercentages(t *testing.T) {
	if got := StepsString(spec(t, `{steps: [1, "50%", pause, 75%]}`).Steps); got != "1,50%,pause,75%" {
		t.Errorf("steps %q", got)
	}
	for doc, want := range map[string]string{
		`{steps: [1, "half"]}`: `spec.steps[1]: "half" is neither a weight in percent nor pause`,
		`{steps: [1, "x%"]}`:   `spec.steps: "1,x%": "x%" is neither a weight in percent nor pause`,
		`{steps: ["50%", 10]}`: "the weights must increase",
	} {
		if _, err := Parse([]byte(header + "spec: " + doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", doc, err, want)
		}
	}
}
