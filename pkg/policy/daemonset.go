package policy

import "fmt"

// ValidateDaemonSet refuses what a DaemonSet's canary cannot follow. It is
// chosen by node, its steps numbers of nodes or percentages of them, so it
// takes no route, no share of the traffic and no session affinity, and it
// has no blue-green switch (that would run two pods on every node). The
// error names the first such field.
func (s *Spec) ValidateDaemonSet() error {
	if s.Strategy != nil && *s.Strategy == BlueGreen {
		return fmt.Errorf("spec.strategy: a DaemonSet has no blue-green switch, which would run two pods on every node: its canary is chosen by node")
	}
	fields := []struct {
		name string
		set  bool
	}{
		{"route", s.Route != nil && *s.Route != "none"},
		{"weightTotal", s.WeightTotal != nil},
		{"header", s.Header != nil},
		{"cookie", s.Cookie != nil},
		{"sticky", s.Sticky != nil && *s.Sticky},
		{"stickySeconds", s.StickySeconds != nil},
	}
	for _, f := range fields {
		if f.set {
			return fmt.Errorf("spec.%s: does not apply to a DaemonSet: its canary is chosen by node (steps are numbers of nodes or percentages of them, e.g. [1, 50%%]), with no route or share of the traffic of its own", f.name)
		}
	}
	return nil
}
