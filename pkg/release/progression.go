package release

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProgressionPhase is where a progression (canary --steps) stands.
type ProgressionPhase string

// The phases of a progression.
const (
	ProgressionRunning    ProgressionPhase = "Progressing"
	ProgressionPaused     ProgressionPhase = "Paused"
	ProgressionPromoting  ProgressionPhase = "Promoting"
	ProgressionPromoted   ProgressionPhase = "Promoted"
	ProgressionComplete   ProgressionPhase = "Complete" // every step held, not promoted (--no-promote)
	ProgressionRolledBack ProgressionPhase = "RolledBack"
	// ProgressionInterrupted is never recorded: status says it of a
	// progression recorded as under way whose command no longer runs
	// (Ctrl-C, a kill, a lost connection). Running it again resumes it.
	ProgressionInterrupted ProgressionPhase = "Interrupted"
)

// Progression is a canary's progression, or a blue-green switch's (to
// Color), as the release's record keeps it, in its lock's annotation: what
// a re-run of the same command resumes from, and what status shows.
type Progression struct {
	// Images and Steps are what was asked ("10", "pause", "50"): a re-run
	// with others is another progression.
	Images []string `json:"images"`
	Steps  []string `json:"steps"`
	// Nodes says the steps count a DaemonSet's nodes: "2" is two nodes,
	// "50%" half of them.
	Nodes bool `json:"nodes,omitempty"`
	// Color is the color a switch goes to, or that a verification judges
	// before any switch (Verify); empty for a canary.
	Color Color `json:"color,omitempty"`
	// Verify marks the verification of a new color before any switch
	// (bluegreen --verify-for): it has no steps.
	Verify bool `json:"verify,omitempty"`
	// Generation is the color's Deployment's generation when its
	// verification or switch was rolled back: while it has not changed, a
	// switch to it is refused.
	Generation int64 `json:"generation,omitempty"`
	// Step is the index of the step reached; Held says its hold passed.
	Step  int              `json:"step"`
	Held  bool             `json:"held,omitempty"`
	Phase ProgressionPhase `json:"phase"`
	// Since is when the step's hold began; Interval how long it lasts.
	Since    metav1.Time     `json:"since,omitempty"`
	Interval metav1.Duration `json:"interval"`
	// Gates are the results of the last check; Failures the failed checks
	// so far.
	Gates    []GateResult `json:"gates,omitempty"`
	Failures int          `json:"failures,omitempty"`
	// Reason says why it was rolled back or stopped.
	Reason string `json:"reason,omitempty"`
	// EndedBy is the command that ended it (promoted, rolled back,
	// complete), and who ran it: "kubectl ship abort ctwoc (alice)".
	EndedBy string `json:"endedBy,omitempty"`
	// Approvals are the verdicts on its pauses, oldest first: the trail.
	Approvals []Approval `json:"approvals,omitempty"`
	// Resume is what another process needs to carry the progression on
	// (kubectl ship approve, when no process runs it).
	Resume *Resume `json:"resume,omitempty"`
}

// Verdicts on a pause.
const (
	VerdictApproved = "Approved"
	VerdictRejected = "Rejected"
)

// Approval is a person's verdict on a progression's pause.
type Approval struct {
	// Step is the pause's index; Pause when it began, which tells this
	// pause from the same step's in an earlier run.
	Step  int         `json:"step"`
	Pause metav1.Time `json:"pause"`
	// Verdict is VerdictApproved or VerdictRejected.
	Verdict string `json:"verdict"`
	// User is the Kubernetes identity the API server authenticated; From
	// the local account and host.
	User   string      `json:"user,omitempty"`
	From   string      `json:"from,omitempty"`
	Reason string      `json:"reason,omitempty"`
	Time   metav1.Time `json:"time"`
}

// Describe says who gave the verdict and why: "rejected by alice: not
// today".
func (a Approval) Describe() string {
	out := strings.ToLower(a.Verdict) + " by " + a.User
	if a.User == "" {
		out += a.From
	}
	if a.Reason != "" {
		out += ": " + a.Reason
	}
	return out
}

// Resume is how a progression was started, for a process that did not
// start it to carry it on: the flags typed (without the connection flags),
// and the policy it followed beneath them, as a document.
type Resume struct {
	Args   []string `json:"args,omitempty"`
	Policy string   `json:"policy,omitempty"`
}

// Awaiting reports whether the progression waits at a pause for a verdict.
func (p *Progression) Awaiting() bool {
	return p != nil && p.Phase == ProgressionPaused && p.Verdict() == nil
}

// Verdict is the verdict on the pause the progression is at; nil when
// there is none yet, or it is not at a pause.
func (p *Progression) Verdict() *Approval {
	if p == nil || p.Phase != ProgressionPaused {
		return nil
	}
	for i := len(p.Approvals) - 1; i >= 0; i-- {
		if a := p.Approvals[i]; a.Step == p.Step && a.Pause.Equal(&p.Since) {
			return &a
		}
	}
	return nil
}

// Ended reports whether the progression is over: promoted, rolled back or
// complete.
func (p *Progression) Ended() bool {
	return p != nil && (p.Phase == ProgressionPromoted || p.Phase == ProgressionRolledBack || p.Phase == ProgressionComplete)
}

// End is the progression ended in phase, for the reason given.
func (p *Progression) End(phase ProgressionPhase, reason string) *Progression {
	ended := *p
	ended.Phase, ended.Reason, ended.EndedBy = phase, reason, ""
	return &ended
}

// Active reports whether the progression is under way: not promoted, rolled
// back or complete.
func (p *Progression) Active() bool {
	return p != nil && (p.Phase == ProgressionRunning || p.Phase == ProgressionPaused || p.Phase == ProgressionPromoting)
}

// Same reports whether the progression is the one of images and steps.
func (p *Progression) Same(images, steps []string) bool {
	return p != nil && equal(p.Images, images) && equal(p.Steps, steps)
}

// Weight is the canary's weight at the step reached: the last weight at or
// before it (a pause keeps the weight before it); 0 for a number of nodes.
func (p *Progression) Weight() int32 {
	if i := p.weightStep(); i >= 0 {
		number, percent := strings.CutSuffix(p.Steps[i], "%")
		if n, err := strconv.ParseInt(number, 10, 32); err == nil && (percent || !p.Nodes) {
			return int32(n)
		}
	}
	return 0
}

// At says where the step reached puts the canary, as a person reads it:
// "25%", or for a DaemonSet "2 nodes" or "50%".
func (p *Progression) At() string {
	i := p.weightStep()
	if i < 0 {
		return "0%"
	}
	number, percent := strings.CutSuffix(p.Steps[i], "%")
	if n, err := strconv.ParseInt(number, 10, 32); err == nil && p.Nodes && !percent {
		return fmt.Sprintf("%d %s", n, Plural(int32(n), "node"))
	}
	return number + "%"
}

// weightStep is the index of the last step at or before the one reached
// that is not a pause, or -1.
func (p *Progression) weightStep() int {
	for i := min(p.Step, len(p.Steps)-1); i >= 0; i-- {
		if p.Steps[i] != "pause" {
			return i
		}
	}
	return -1
}

// Left is how much of the step's hold is left at now.
func (p *Progression) Left(now time.Time) time.Duration {
	if p.Held || p.Since.IsZero() {
		return 0
	}
	return max(0, p.Since.Add(p.Interval.Duration).Sub(now))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ParseProgression reads the record's progression; nil when there is none
// or it is unreadable.
func ParseProgression(raw string) *Progression {
	if raw == "" {
		return nil
	}
	var p Progression
	if json.Unmarshal([]byte(raw), &p) != nil {
		return nil
	}
	return &p
}

// Encode is the progression as its annotation keeps it.
func (p *Progression) Encode() string {
	raw, _ := json.Marshal(p)
	return string(raw)
}
