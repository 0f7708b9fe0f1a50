package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// GateFlags are the flags of the gates a release is checked by while it
// holds: Prometheus analyses, webhooks, and how often and how strictly.
type GateFlags struct {
	Analyses          []string
	Prometheus        string
	Webhooks          []string
	CheckEvery        time.Duration
	ReadyGrace        time.Duration
	FailureLimit      int
	InconclusiveLimit int
}

// NewGateFlags returns the defaults: a check every 10 seconds, the first
// failed check fails the release, two inconclusive ones in a row count as
// one failure.
func NewGateFlags() *GateFlags {
	return &GateFlags{CheckEvery: 10 * time.Second, ReadyGrace: time.Minute, InconclusiveLimit: gate.DefaultInconclusiveLimit}
}

// AddFlags binds the flags to cmd.
func (f *GateFlags) AddFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringArrayVar(&f.Analyses, "analysis", nil, `A Prometheus check, 'QUERY OP THRESHOLD' with OP one of < <= > >= == != (repeatable); the query is a Go template of {{.Name}} {{.Namespace}} {{.Canary}} {{.Stable}} {{.Service}} {{.Interval}} and must give one number.`)
	flags.StringVar(&f.Prometheus, "prometheus", "", "Where the analyses' queries go: an http(s) URL, or service/NAMESPACE/NAME:PORT through the API server's service proxy.")
	flags.StringArrayVar(&f.Webhooks, "webhook", nil, "A URL that must answer 2xx to a POST of the release's state at every check (repeatable).")
	flags.DurationVar(&f.CheckEvery, "check-every", f.CheckEvery, "Time between checks of the gates (at least 1s).")
	flags.DurationVar(&f.ReadyGrace, "ready-grace", f.ReadyGrace, "How long a pod may stay not Ready before it fails the built-in gate; crash loops and image pull errors fail at once.")
	flags.IntVar(&f.FailureLimit, "failure-limit", f.FailureLimit, "Failed checks to survive; the next one rolls the release back.")
	flags.IntVar(&f.InconclusiveLimit, "inconclusive-limit", f.InconclusiveLimit, "Inconclusive results in a row of one gate (no data, no answer) that count as one failed check.")
}

// Set reports whether any gate was asked for.
func (f *GateFlags) Set() bool { return len(f.Analyses) > 0 || len(f.Webhooks) > 0 }

// Gates checks the flags and parses them into the engine's gates; hold is
// how long each check period lasts (--interval, --verify-for), to compare
// with --check-every. It makes no request.
func (f *GateFlags) Gates(hold time.Duration, holdFlag string) (ship.Gates, error) {
	g := ship.Gates{CheckEvery: f.CheckEvery, Grace: f.ReadyGrace, FailureLimit: f.FailureLimit, InconclusiveLimit: f.InconclusiveLimit}
	switch {
	case f.ReadyGrace < 0:
		return g, fmt.Errorf("--ready-grace must not be negative, not %s", f.ReadyGrace)
	case f.CheckEvery < time.Second:
		return g, fmt.Errorf("--check-every must be at least 1s, not %s", f.CheckEvery)
	case hold < f.CheckEvery:
		return g, fmt.Errorf("%s (%s) must be at least --check-every (%s), or no check would run", holdFlag, hold, f.CheckEvery)
	case f.FailureLimit < 0:
		return g, fmt.Errorf("--failure-limit must not be negative, not %d", f.FailureLimit)
	case f.InconclusiveLimit < 1:
		return g, fmt.Errorf("--inconclusive-limit must be at least 1, not %d", f.InconclusiveLimit)
	case len(f.Analyses) > 0 && f.Prometheus == "":
		return g, fmt.Errorf("--analysis needs --prometheus: where its queries go")
	case len(f.Analyses) == 0 && f.Prometheus != "":
		return g, fmt.Errorf("--prometheus without --analysis: give the queries to check")
	}
	for _, a := range f.Analyses {
		parsed, err := gate.ParseAnalysis(a)
		if err != nil {
			return g, fmt.Errorf("--analysis: %w", err)
		}
		g.Analyses = append(g.Analyses, parsed)
	}
	if f.Prometheus != "" {
		loc, err := gate.ParseLocation(f.Prometheus)
		if err != nil {
			return g, fmt.Errorf("--prometheus: %w", err)
		}
		g.Prometheus = loc
	}
	for _, w := range f.Webhooks {
		hook, err := gate.ParseWebhook(w)
		if err != nil {
			return g, fmt.Errorf("--webhook: %w", err)
		}
		g.Webhooks = append(g.Webhooks, hook)
	}
	return g, nil
}

// Verify are the gates of --verify-for: none without it.
func (f *GateFlags) Verify(verifyFor time.Duration) (ship.Gates, error) {
	switch {
	case verifyFor < 0:
		return ship.Gates{}, fmt.Errorf("--verify-for must not be negative")
	case verifyFor == 0 && f.Set():
		return ship.Gates{}, fmt.Errorf("--analysis and --webhook need --verify-for: the gates are checked while the release holds")
	case verifyFor == 0:
		return ship.Gates{}, nil
	}
	return f.Gates(verifyFor, "--verify-for")
}
