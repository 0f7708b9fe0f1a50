package strategy

import (
	"fmt"
	"math"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Split is how a canary shares traffic with the stable pods: by the ratio of
// ready pods behind one Service.
type Split struct {
	Stable, Canary int32
}

// Percent is the canary's share of the pods, in percent.
func (s Split) Percent() float64 {
	if s.Stable+s.Canary == 0 {
		return 0
	}
	return 100 * float64(s.Canary) / float64(s.Stable+s.Canary)
}

// splitForWeight returns the canary size beside stable pods that comes
// closest to weight percent: at least one canary pod, and on a tie the
// smaller canary, which risks less.
func splitForWeight(stable, weight int32) Split {
	exact := float64(stable) * float64(weight) / float64(100-weight)
	best := Split{Stable: stable, Canary: max(1, int32(math.Floor(exact)))}
	if alt := (Split{Stable: stable, Canary: max(1, int32(math.Ceil(exact)))}); distance(alt, weight) < distance(best, weight) {
		best = alt
	}
	return best
}

func distance(s Split, weight int32) float64 {
	return math.Abs(s.Percent() - float64(weight))
}

// exactSplit is the smallest pair of pod counts that gives weight exactly.
func exactSplit(weight int32) Split {
	g := gcd(weight, 100-weight)
	return Split{Stable: (100 - weight) / g, Canary: weight / g}
}

func gcd(a, b int32) int32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// weightNote tells the user, before anything changes, which share of the
// pods the canary will get and, when that is not what was asked, what it
// would take.
func weightNote(s Split, requested int32) string {
	pods := fmt.Sprintf("%d canary %s beside %d stable", s.Canary, release.Plural(s.Canary, "pod"), s.Stable)
	if requested == 0 || math.Abs(s.Percent()-float64(requested)) < 0.05 {
		return fmt.Sprintf("weight %.1f%%: %s", s.Percent(), pods)
	}
	e := exactSplit(requested)
	return fmt.Sprintf("weight %d%% requested, %.1f%% achievable: %s; %d stable and %d canary %s give exactly %d%%",
		requested, s.Percent(), pods, e.Stable, e.Canary, release.Plural(e.Canary, "pod"), requested)
}
