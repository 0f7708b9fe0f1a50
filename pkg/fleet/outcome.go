// Package fleet runs kubectl-ship across kubeconfig contexts: it picks the
// contexts (names and globs), reads them concurrently into one view, and
// carries a release's operation through them in waves, soaking each wave
// under the built-in health gate and stopping at the first cluster that
// fails. It is cobra-free; what can be pure (the choice of contexts, the
// wave plan, where a re-run resumes, the exit code, the tables) is.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Outcome is how one cluster's answer counts toward a fleet command's exit
// code; its value is that code.
type Outcome int

// The outcomes, from best to worst: the exit code is the worst of them.
const (
	// Healthy: every release read is settled and healthy.
	Healthy Outcome = 0
	// Degraded: a release's rollout exceeded its progress deadline.
	Degraded Outcome = 1
	// TimedOut: the cluster did not answer within the request timeout.
	TimedOut Outcome = 2
	// NotFound: the release is not in that cluster.
	NotFound Outcome = 3
	// Unreachable: the cluster cannot be reached, or refuses the user.
	Unreachable Outcome = 5
)

// ExitCodes documents the outcomes for the help of every fleet-aware verb.
const ExitCodes = `0 every cluster healthy; 1 a release degraded somewhere; 2 a cluster
timed out; 3 the release not found somewhere; 5 a cluster unreachable or
forbidden. The worst outcome wins.`

// Classify says what a cluster's error means for the exit code.
func Classify(err error) Outcome {
	var notRelease *release.NotReleaseError
	var ambiguous *release.AmbiguousError
	var netErr net.Error
	switch {
	case err == nil:
		return Healthy
	case errors.As(err, &ambiguous):
		return Degraded // the cluster answered: the release needs a person
	case errors.As(err, &notRelease) || apierrors.IsNotFound(err):
		return NotFound
	case errors.Is(err, context.DeadlineExceeded) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err):
		return TimedOut
	case errors.As(err, &netErr) && netErr.Timeout():
		return TimedOut
	}
	// Refused connections, unknown hosts, bad certificates, forbidden or
	// unauthorized users, and anything else that kept the answer away.
	return Unreachable
}

// exitCode is the worst of the outcomes.
func exitCode(outcomes ...Outcome) int {
	worst := Healthy
	for _, o := range outcomes {
		worst = max(worst, o)
	}
	return int(worst)
}

// Verdict sums up a fleet read from each context's outcome, in order: the
// exit code, and unless it is 0 an error naming the contexts of each outcome
// worse than healthy, the worst first.
func Verdict(contexts []string, outcomes []Outcome) (int, error) {
	byOutcome := map[Outcome][]string{}
	for i, o := range outcomes {
		byOutcome[o] = append(byOutcome[o], contexts[i])
	}
	var parts []string
	for _, o := range []Outcome{Unreachable, NotFound, TimedOut, Degraded} {
		if names := byOutcome[o]; len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%s in %s", outcomeWords[o], strings.Join(names, ", ")))
		}
	}
	code := exitCode(outcomes...)
	if code == 0 {
		return 0, nil
	}
	return code, fmt.Errorf("not every cluster is healthy: %s", strings.Join(parts, "; "))
}

var outcomeWords = map[Outcome]string{
	Degraded: "degraded", TimedOut: "timed out", NotFound: "release not found", Unreachable: "unreachable or forbidden",
}
