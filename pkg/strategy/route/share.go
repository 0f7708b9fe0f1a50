package route

import (
	"fmt"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Share is what a route sends a canary: Weight out of Total of the
// traffic, and every request that matches Header or Cookie, whatever the
// weight.
type Share struct {
	Weight, Total int32
	Header        *release.HeaderMatch
	Cookie        string
}

// String is the weight as the user gave it: "5%" out of 100, "1/1000"
// otherwise.
func (s Share) String() string {
	if s.Total == 100 {
		return fmt.Sprintf("%d%%", s.Weight)
	}
	return fmt.Sprintf("%d/%d", s.Weight, s.Total)
}
