package strategy

import (
	"fmt"
	"strconv"
	"strings"
)

// NodeChoice is which nodes a DaemonSet's canary runs on: Count of them,
// or Percent of them (rounded up), among the nodes that run its pods and
// that Selector matches; with a Selector alone, all those; with nothing, one.
type NodeChoice struct {
	Count, Percent int32
	Selector       string
	// Step says the choice is a progression's step.
	Step bool
}

// ParseNodes parses --nodes: a number of nodes or a percentage of them,
// at least one.
func ParseNodes(value string) (NodeChoice, error) {
	number, percent := strings.CutSuffix(strings.TrimSpace(value), "%")
	n, err := strconv.ParseInt(number, 10, 32)
	switch {
	case err != nil:
		return NodeChoice{}, fmt.Errorf("%q is neither a number of nodes nor a percentage of them (e.g. 2 or 25%%)", value)
	case n < 1 || percent && n > 100:
		return NodeChoice{}, fmt.Errorf("%q: a canary runs on at least one node and at most all of them (1 to the node count, or 1%% to 100%%)", value)
	case percent:
		return NodeChoice{Percent: int32(n)}, nil
	}
	return NodeChoice{Count: int32(n)}, nil
}

// Set says whether the user chose nodes.
func (c NodeChoice) Set() bool { return c.Count > 0 || c.Percent > 0 || c.Selector != "" }

// String is the choice as --nodes gives it.
func (c NodeChoice) String() string {
	if c.Percent > 0 {
		return fmt.Sprintf("%d%%", c.Percent)
	}
	return fmt.Sprint(c.Count)
}
