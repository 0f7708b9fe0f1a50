package fleet

import (
	"fmt"
	"strings"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Wave is a set of clusters that an operation reaches at once; waves go one
// after the other.
type Wave struct {
	// Number counts from 1, as --wave flags are counted.
	Number   int
	Contexts []string
}

// PlanWaves resolves each --wave (a comma-separated list of context names
// and globs) over the kubeconfig's contexts. An empty wave, or a context in
// two waves, is refused: the order of a fleet must be unambiguous.
func PlanWaves(waves []string, contexts []string) ([]Wave, error) {
	var plan []Wave
	inWave := map[string]int{}
	for i, list := range waves {
		flag := fmt.Sprintf("--wave %d", i+1)
		if strings.Trim(list, ", \t") == "" {
			return nil, fmt.Errorf("%s is empty: give it context names or globs", flag)
		}
		selected, err := Select(flag, ParseList(list), contexts)
		if err != nil {
			return nil, err
		}
		for _, c := range selected {
			if first, ok := inWave[c]; ok {
				return nil, fmt.Errorf("context %s is in --wave %d and --wave %d: each context goes in one wave", c, first, i+1)
			}
			inWave[c] = i + 1
		}
		plan = append(plan, Wave{Number: i + 1, Contexts: selected})
	}
	return plan, nil
}

// Progress is where one cluster stands in a fleet command, as its record
// says.
type Progress int

const (
	// NotStarted means the command never ran in this cluster.
	NotStarted Progress = iota
	// Started means it ran, or runs, but did not finish there
	// (interrupted, failed, rolled back).
	Started
	// Done means its last operation is this command, finished.
	Done
	// Soaked means, beyond Done, that the soak of its wave ended healthy
	// there, as the record this command leaves then says.
	Soaked
)

// progressOf reads from a cluster's record where command stands there.
func progressOf(r ship.LockState, command string) Progress {
	command = release.BoundCommand(command)
	if r.Holder != "" && release.BoundCommand(r.Holder) == command {
		return Started
	}
	if len(r.Operations) == 0 {
		return NotStarted
	}
	last := r.Operations[len(r.Operations)-1]
	switch {
	case last.Command == command && last.Verb == ship.SoakVerb:
		return Soaked
	case last.Command == command && last.Error == "" && !last.Interrupted:
		return Done
	case last.Command == command || last.Fleet != nil && last.Fleet.Command == command:
		return Started
	}
	return NotStarted
}

// resume says where a re-run of a fleet command starts: the first wave with
// a cluster not done; the waves before it are done and are skipped. With a
// soak, the wave before it may have been left before its soak ended (a
// kill in the last wave's soak leaves every wave done): unless every
// cluster of it says it soaked, or a cluster of the next wave started (a
// wave starts only after the soak before it), soakAgain asks for it again.
// All done: start is len(waves).
func resume(waves []Wave, progress map[string]Progress, soaking bool) (start int, soakAgain bool) {
	for start = 0; start < len(waves); start++ {
		done := true
		for _, c := range waves[start].Contexts {
			done = done && progress[c] >= Done
		}
		if !done {
			break
		}
	}
	if start == 0 || !soaking {
		return start, false
	}
	soaked := true
	for _, c := range waves[start-1].Contexts {
		soaked = soaked && progress[c] == Soaked
	}
	if soaked {
		return start, false
	}
	if start < len(waves) {
		for _, c := range waves[start].Contexts {
			if progress[c] != NotStarted {
				return start, false
			}
		}
	}
	return start, true
}
