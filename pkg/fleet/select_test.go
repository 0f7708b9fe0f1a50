package fleet

import (
	"strings"
	"testing"
)

var kubeconfigContexts = []string{
	"arn:aws:eks:us-east-1:1:cluster/prod-a", "prod-eu-1", "prod-eu-2", "prod-us-east", "prod-us-west", "staging",
}

func TestSelectKeepsTheOrderGiven(t *testing.T) {
	tests := []struct {
		list string
		want string
	}{
		{"staging", "staging"},
		{"prod-us-west,staging", "prod-us-west,staging"},
		{"prod-eu-*", "prod-eu-1,prod-eu-2"},
		{"staging, prod-us-*", "staging,prod-us-east,prod-us-west"},
		{"prod-us-west,prod-us-*", "prod-us-west,prod-us-east"},
		{"prod-eu-[!1]", "prod-eu-2"},
		{"prod-eu-?", "prod-eu-1,prod-eu-2"},
		{"*cluster/prod-*", "arn:aws:eks:us-east-1:1:cluster/prod-a"},
		{"*", strings.Join(kubeconfigContexts, ",")},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			got, err := Select("--contexts", ParseList(tt.list), kubeconfigContexts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("got %s, want %s", strings.Join(got, ","), tt.want)
			}
		})
	}
}

func TestSelectRefusesWhatNamesNoContext(t *testing.T) {
	tests := []struct {
		list string
		want string
	}{
		{"nope", `--contexts: context "nope" is not in the kubeconfig (its contexts: arn:aws:eks:us-east-1:1:cluster/prod-a, prod-eu-1,`},
		{"staging,dev-*", `--contexts: "dev-*" matches no context of the kubeconfig`},
		{"staging,,prod-eu-1", "--contexts: an empty context name in the list"},
		{"prod-[", `--contexts: glob "prod-[": [ without a closing ]`},
		{"prod-[]", `--contexts: glob "prod-[]": an empty [] class`},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			_, err := Select("--contexts", ParseList(tt.list), kubeconfigContexts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Select("--contexts", []string{"a"}, nil); err == nil || !strings.Contains(err.Error(), "it has no contexts") {
		t.Errorf("an empty kubeconfig: %v", err)
	}
}

func TestPlanWaves(t *testing.T) {
	waves, err := PlanWaves([]string{"staging", "prod-us-east,prod-us-west", "prod-eu-*"}, kubeconfigContexts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range waves {
		got = append(got, strings.Join(w.Contexts, "+"))
	}
	if want := "staging prod-us-east+prod-us-west prod-eu-1+prod-eu-2"; strings.Join(got, " ") != want || waves[2].Number != 3 {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestPlanWavesRefusesAmbiguousOrders(t *testing.T) {
	tests := []struct {
		waves []string
		want  string
	}{
		{[]string{"staging", ""}, "--wave 2 is empty: give it context names or globs"},
		{[]string{" , "}, "--wave 1 is empty"},
		{[]string{"staging,prod-us-*", "prod-*"}, "context prod-us-east is in --wave 1 and --wave 2: each context goes in one wave"},
		{[]string{"staging", "dev-*"}, `--wave 2: "dev-*" matches no context`},
		{[]string{"stagin"}, `--wave 1: context "stagin" is not in the kubeconfig`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.waves, " | "), func(t *testing.T) {
			_, err := PlanWaves(tt.waves, kubeconfigContexts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
