package fleet

import (
	"fmt"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

const fleetCommand = "kubectl ship canary web --image web:2 --wave a --wave b,c --wave d"

func TestProgressOf(t *testing.T) {
	done := release.Operation{Command: fleetCommand, Fleet: &release.FleetStep{Wave: 1, Waves: 3}}
	failed := done
	failed.Error = "interrupted while waiting"
	tests := []struct {
		name   string
		record ship.LockState
		want   Progress
	}{
		{"no record", ship.LockState{}, NotStarted},
		{"another command last", ship.LockState{Operations: []release.Operation{{Command: "kubectl ship promote web"}}}, NotStarted},
		{"done", ship.LockState{Operations: []release.Operation{{Command: "kubectl ship abort web"}, done}}, Done},
		{"failed", ship.LockState{Operations: []release.Operation{failed}}, Started},
		{"interrupted", ship.LockState{Operations: []release.Operation{{Command: fleetCommand, Interrupted: true}}}, Started},
		{"rolled back", ship.LockState{Operations: []release.Operation{failed, {Command: "kubectl ship abort web",
			Fleet: &release.FleetStep{Wave: 2, Waves: 3, Command: fleetCommand}}}}, Started},
		{"holding the lock", ship.LockState{Holder: fleetCommand}, Started},
		{"done, then changed by another", ship.LockState{Operations: []release.Operation{done, {Command: "kubectl ship abort web"}}}, NotStarted},
		{"soaked", ship.LockState{Operations: []release.Operation{done, {Command: fleetCommand, Verb: ship.SoakVerb}}}, Soaked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressOf(tt.record, fleetCommand); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// resume starts at the first wave with a cluster not done, and soaks the
// wave before it again when nothing shows that its soak had ended.
func TestResume(t *testing.T) {
	waves := []Wave{{1, []string{"a"}}, {2, []string{"b", "c"}}, {3, []string{"d"}}}
	tests := []struct {
		name      string
		progress  map[string]Progress
		start     int
		soakAgain bool
	}{
		{"first run", map[string]Progress{}, 0, false},
		{"wave 1 started", map[string]Progress{"a": Started}, 0, false},
		{"stopped in wave 1's soak", map[string]Progress{"a": Done}, 1, true},
		{"stopped in wave 2", map[string]Progress{"a": Done, "b": Started}, 1, false},
		{"one of wave 2 done", map[string]Progress{"a": Done, "c": Done}, 1, false},
		{"stopped in wave 2's soak", map[string]Progress{"a": Done, "b": Done, "c": Done}, 2, true},
		{"stopped in wave 2's soak, wave 1 soaked", map[string]Progress{"a": Soaked, "b": Done, "c": Soaked}, 2, true},
		{"wave 2 soaked", map[string]Progress{"a": Soaked, "b": Soaked, "c": Soaked}, 2, false},
		// A kill in the last wave's soak leaves every wave done.
		{"stopped in the last wave's soak", map[string]Progress{"a": Done, "b": Done, "c": Done, "d": Done}, 3, true},
		{"all soaked", map[string]Progress{"a": Soaked, "b": Soaked, "c": Soaked, "d": Soaked}, 3, false},
		{"wave 1 rolled back since", map[string]Progress{"a": Started, "b": Done, "c": Done}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, soakAgain := resume(waves, tt.progress, true)
			if start != tt.start || soakAgain != tt.soakAgain {
				t.Errorf("got start %d, soak again %v; want %d, %v", start, soakAgain, tt.start, tt.soakAgain)
			}
		})
	}
}

func TestResumeWithoutSoak(t *testing.T) {
	waves := []Wave{{1, []string{"a"}}, {2, []string{"b"}}}
	if start, again := resume(waves, map[string]Progress{"a": Done, "b": Done}, false); start != 2 || again {
		t.Errorf("got start %d, soak again %v; want 2, false", start, again)
	}
}

func TestExitCodeIsTheWorstOutcome(t *testing.T) {
	tests := []struct {
		outcomes []Outcome
		want     int
	}{
		{nil, 0},
		{[]Outcome{Healthy, Healthy}, 0},
		{[]Outcome{Healthy, Degraded}, 1},
		{[]Outcome{Degraded, TimedOut, Healthy}, 2},
		{[]Outcome{NotFound, TimedOut}, 3},
		{[]Outcome{Unreachable, NotFound, Degraded}, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.outcomes), func(t *testing.T) {
			if got := exitCode(tt.outcomes...); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
