package strategy

import "testing"

func TestSplitForWeight(t *testing.T) {
	tests := []struct {
		name           string
		stable, weight int32
		wantCanary     int32
		wantPercent    float64
	}{
		{"one of four is 25%", 3, 25, 1, 25},
		{"half", 3, 50, 3, 50},
		{"10% of 9 stable pods", 9, 10, 1, 10},
		{"10% beside 3 pods still needs one pod", 3, 10, 1, 25},
		{"1% of a small Deployment rounds up to one pod", 2, 1, 1, 100.0 / 3},
		{"40% beside 2 pods: one pod (33%) is nearer than two (50%)", 2, 40, 1, 100.0 / 3},
		{"rounds to the nearest share, not down", 10, 30, 4, 400.0 / 14},
		{"99% of one stable pod", 1, 99, 99, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitForWeight(tt.stable, tt.weight)
			if got.Canary != tt.wantCanary || got.Stable != tt.stable {
				t.Fatalf("splitForWeight(%d, %d) = %+v, want %d canary pods", tt.stable, tt.weight, got, tt.wantCanary)
			}
			if d := got.Percent() - tt.wantPercent; d > 0.001 || d < -0.001 {
				t.Errorf("Percent() = %.3f, want %.3f", got.Percent(), tt.wantPercent)
			}
		})
	}
}

func TestExactSplit(t *testing.T) {
	for weight, want := range map[int32]Split{10: {9, 1}, 25: {3, 1}, 30: {7, 3}, 50: {1, 1}, 99: {1, 99}} {
		if got := exactSplit(weight); got != want {
			t.Errorf("exactSplit(%d) = %+v, want %+v", weight, got, want)
		}
	}
}

func TestWeightNote(t *testing.T) {
	tests := []struct {
		name      string
		split     Split
		requested int32
		want      string
	}{
		{"reachable", Split{3, 1}, 25, "weight 25.0%: 1 canary pod beside 3 stable"},
		{"replicas given", Split{3, 2}, 0, "weight 40.0%: 2 canary pods beside 3 stable"},
		{"not reachable", Split{3, 1}, 10, "weight 10% requested, 25.0% achievable: 1 canary pod beside 3 stable; 9 stable and 1 canary pod give exactly 10%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := weightNote(tt.split, tt.requested); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
