package cli

import (
	"strings"
	"testing"
	"time"
)

// The gate flags are checked together, before any request, each error
// naming the flags at fault.
func TestGateFlags(t *testing.T) {
	tests := []struct {
		name   string
		change func(*GateFlags)
		hold   time.Duration
		want   string
	}{
		{"the defaults", func(*GateFlags) {}, time.Minute, ""},
		{"an analysis", func(f *GateFlags) {
			f.Analyses, f.Prometheus = []string{"sum(rate(errors[1m])) < 0.01"}, "http://127.0.0.1:9090"
		}, time.Minute, ""},
		{"a webhook", func(f *GateFlags) { f.Webhooks = []string{"http://127.0.0.1:9/check"} }, time.Minute, ""},
		{"a negative grace", func(f *GateFlags) { f.ReadyGrace = -time.Second }, time.Minute, "--ready-grace must not be negative, not -1s"},
		{"checks too often", func(f *GateFlags) { f.CheckEvery = time.Millisecond }, time.Minute, "--check-every must be at least 1s, not 1ms"},
		{"a hold shorter than a check", func(*GateFlags) {}, 5 * time.Second, "--interval (5s) must be at least --check-every (10s), or no check would run"},
		{"a negative failure limit", func(f *GateFlags) { f.FailureLimit = -1 }, time.Minute, "--failure-limit must not be negative, not -1"},
		{"no inconclusive result allowed", func(f *GateFlags) { f.InconclusiveLimit = 0 }, time.Minute, "--inconclusive-limit must be at least 1, not 0"},
		{"an analysis with nowhere to go", func(f *GateFlags) { f.Analyses = []string{"up == 1"} }, time.Minute, "--analysis needs --prometheus"},
		{"prometheus alone", func(f *GateFlags) { f.Prometheus = "http://127.0.0.1:9090" }, time.Minute, "--prometheus without --analysis"},
		{"an analysis with no threshold", func(f *GateFlags) {
			f.Analyses, f.Prometheus = []string{"up"}, "http://127.0.0.1:9090"
		}, time.Minute, "--analysis: "},
		{"a prometheus that is no URL", func(f *GateFlags) {
			f.Analyses, f.Prometheus = []string{"up == 1"}, "prometheus"
		}, time.Minute, "--prometheus: "},
		{"a webhook that is no URL", func(f *GateFlags) { f.Webhooks = []string{"::"} }, time.Minute, "--webhook: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewGateFlags()
			tc.change(f)
			_, err := f.Gates(tc.hold, "--interval")
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestVerifyGates(t *testing.T) {
	f := NewGateFlags()
	if g, err := f.Verify(0); err != nil || len(g.Webhooks) > 0 {
		t.Errorf("no --verify-for: %+v, %v", g, err)
	}
	if _, err := f.Verify(-time.Second); err == nil || err.Error() != "--verify-for must not be negative" {
		t.Errorf("negative: %v", err)
	}
	f.Webhooks = []string{"http://127.0.0.1:9/check"}
	if _, err := f.Verify(0); err == nil || !strings.Contains(err.Error(), "--analysis and --webhook need --verify-for") {
		t.Errorf("a webhook without --verify-for: %v", err)
	}
	if g, err := f.Verify(time.Minute); err != nil || len(g.Webhooks) != 1 {
		t.Errorf("--verify-for 1m: %+v, %v", g, err)
	}
}
