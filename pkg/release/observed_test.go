package release

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodSelectorIsWhatEverySelectorRequires(t *testing.T) {
	rel := webRelease(t, "ship")
	if got := rel.PodSelector().String(); got != "app=web" {
		t.Errorf("stable app=web beside canary app=web,track=canary: %q", got)
	}
	rel.Canary.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}
	if got := rel.PodSelector().String(); got != "" {
		t.Errorf("selectors sharing nothing: %q, want every pod", got)
	}
	if got := rel.CheckedServices(); len(got) != 1 || got[0] != "web" {
		t.Errorf("checked services: %v", got)
	}
}

func TestOutcome(t *testing.T) {
	promoted := &Progression{Phase: ProgressionPromoted}
	rolledBack := &Progression{Phase: ProgressionRolledBack}
	switchedBack := &Progression{Phase: ProgressionRolledBack, Color: Green}
	for _, tc := range []struct {
		name     string
		strategy string
		p        *Progression
		last     *Operation
		want     ProgressionPhase
	}{
		{"promoted by itself", StrategyNone, promoted, &Operation{Verb: "canary"}, ProgressionPromoted},
		{"rolled back by its gates", StrategyNone, rolledBack, &Operation{Verb: "canary", Error: "gates failed"}, ProgressionRolledBack},
		{"a canary promoted by hand", StrategyNone, nil, &Operation{Verb: "promote"}, ProgressionPromoted},
		{"a canary aborted by hand", StrategyNone, nil, &Operation{Verb: "abort"}, ProgressionRolledBack},
		// The record says promoted, but the last command was an abort of a
		// canary started since.
		{"promoted, then a canary aborted", StrategyNone, promoted, &Operation{Verb: "abort"}, ProgressionRolledBack},
		{"rolled back, then a canary started", StrategyCanary, rolledBack, &Operation{Verb: "canary"}, ""},
		{"a promote that failed", StrategyCanary, nil, &Operation{Verb: "promote", Error: "paused"}, ""},
		{"under way", StrategyCanary, &Progression{Phase: ProgressionRunning}, nil, ""},
		{"a switch rolled back", StrategyBlueGreen, switchedBack, &Operation{Verb: "bluegreen-switch", Error: "gates failed"}, ProgressionRolledBack},
		{"nothing recorded", StrategyNone, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &Status{Strategy: tc.strategy, Progression: tc.p, LastOperation: tc.last}
			if got := st.Outcome(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
