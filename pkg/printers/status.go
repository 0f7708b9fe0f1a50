// Package printers renders kubectl-ship's read model for people; output for
// scripts (-o json|yaml|jsonpath) goes through cli-runtime's printers. Every
// string that comes from the cluster is escaped on its way to the terminal
// (release.EscapeTerminal); the -o output keeps it exact.
package printers

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

var esc = release.EscapeTerminal

// Status writes st as a summary line, a table of Deployments, a table of
// Services with their actual traffic, and the warnings.
func Status(w io.Writer, st *release.Status) error {
	fmt.Fprintf(w, "Release %s (namespace %s): %s, %s\n", esc(st.Name), esc(st.Namespace), st.Strategy, st.Phase)
	if st.Operation != "" {
		fmt.Fprintf(w, "Operation: %s\n", esc(st.Operation))
	}
	if p := st.Progression; p != nil {
		Progression(w, p, time.Now())
	}
	fmt.Fprintln(w)
	if st.StatefulSet != nil {
		return statefulStatus(w, st)
	}
	if st.DaemonSet != nil {
		return daemonStatus(w, st)
	}
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "DEPLOYMENT\tROLE\tIMAGES\tDESIRED\tUPDATED\tREADY\tAVAILABLE\tREVISION")
	for _, d := range st.Deployments {
		role := d.Role + qualifiers(d)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", esc(d.Name), role, Images(d.Containers),
			d.Replicas, d.UpdatedReplicas, d.ReadyReplicas, d.AvailableReplicas, esc(d.Revision))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	// A writer of its own: cli-runtime's remembers column widths.
	tw = cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "SERVICE\tSELECTOR\tAFFINITY\tTRAFFIC (READY ENDPOINTS)")
	for _, s := range st.Services {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", esc(s.Name), esc(labels.Set(s.Selector).String()), esc(s.SessionAffinity), Traffic(s))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := Routes(w, st); err != nil {
		return err
	}
	return warnings(w, st)
}

// warnings writes st's warnings, if any, under a heading.
func warnings(w io.Writer, st *release.Status) error {
	if len(st.Warnings) > 0 {
		fmt.Fprintln(w, "\nWarnings:")
		for _, warning := range st.Warnings {
			fmt.Fprintf(w, "  %s\n", esc(warning))
		}
	}
	return nil
}

// Progression writes where a canary's progression stands: its step, the
// time held and left, and each gate's last check, at now.
func Progression(w io.Writer, p *release.Progression, now time.Time) {
	switch {
	case p.Verify:
		phase := string(p.Phase)
		if p.Phase == release.ProgressionRolledBack {
			phase = "Failed" // nothing was switched to roll back
		}
		fmt.Fprintf(w, "Verification of %s (%s): %s", esc(string(p.Color)), esc(strings.Join(p.Images, ", ")), phase)
	case p.Color != "":
		fmt.Fprintf(w, "Switch to %s: %s, step %d of %d (%d%%) of %s", esc(string(p.Color)), p.Phase, p.Step+1, len(p.Steps), p.Weight(), esc(strings.Join(p.Steps, ",")))
	default:
		fmt.Fprintf(w, "Progression: %s, step %d of %d (%s) of %s", p.Phase, p.Step+1, len(p.Steps), esc(p.At()), esc(strings.Join(p.Steps, ",")))
	}
	switch {
	case p.Phase == release.ProgressionRunning && !p.Held && !p.Since.IsZero():
		fmt.Fprintf(w, ", held %s, %s left", now.Sub(p.Since.Time).Round(time.Second), p.Left(now).Round(time.Second))
	case p.Awaiting() && !p.Since.IsZero():
		fmt.Fprintf(w, ", awaiting approval since %s (%s)", p.Since.Format(time.DateTime), now.Sub(p.Since.Time).Round(time.Second))
	case p.Reason != "":
		fmt.Fprintf(w, ": %s", esc(p.Reason))
	}
	if p.EndedBy != "" {
		fmt.Fprintf(w, "; ended by %s", esc(p.EndedBy))
	}
	if p.Failures > 0 {
		fmt.Fprintf(w, "; %d failed %s", p.Failures, map[bool]string{true: "check", false: "checks"}[p.Failures == 1])
	}
	fmt.Fprintln(w)
	for _, g := range p.Gates {
		fmt.Fprintf(w, "  gate %s\n", esc(g.String()))
	}
	for _, a := range p.Approvals {
		fmt.Fprintf(w, "  step %d %s by %s at %s", a.Step+1, strings.ToLower(a.Verdict), esc(a.User), a.Time.Format(time.DateTime))
		if a.Reason != "" {
			fmt.Fprintf(w, ": %s", esc(a.Reason))
		}
		fmt.Fprintln(w)
	}
}

// Traffic describes where a Service's ready endpoints are, by role, the
// pods of no Deployment of the release last, with their owners:
// "canary 25.0% (1), stable 50.0% (2), other (web-test) 25.0% (1)".
func Traffic(s release.ServiceStatus) string {
	if len(s.ReadyEndpoints) == 0 {
		return "no ready endpoints"
	}
	roles := make([]string, 0, len(s.ReadyEndpoints))
	for role := range s.ReadyEndpoints {
		roles = append(roles, role)
	}
	sort.Slice(roles, func(i, j int) bool {
		if (roles[i] == release.RoleOther) != (roles[j] == release.RoleOther) {
			return roles[j] == release.RoleOther
		}
		return roles[i] < roles[j]
	})
	parts := make([]string, len(roles))
	for i, role := range roles {
		name := esc(role)
		if role == release.RoleOther && len(s.Others) > 0 {
			name += " (" + esc(release.DescribeOthers(s.Others, 3)) + ")"
		}
		parts[i] = fmt.Sprintf("%s %.1f%% (%d)", name, s.Traffic[role], s.ReadyEndpoints[role])
	}
	out := strings.Join(parts, ", ")
	if s.RequestedWeight != nil {
		out += fmt.Sprintf("; %d%% requested", *s.RequestedWeight)
	}
	return out
}

// Images describes what a pod template runs, escaped: the image alone for a
// single container, else NAME=IMAGE for each, init containers and sidecars
// after the app containers, so that two templates differing only in an init
// container's image do not read the same.
func Images(containers []release.Container) string {
	if len(containers) == 1 {
		return esc(containers[0].Image)
	}
	parts := make([]string, len(containers))
	for i, c := range containers {
		parts[i] = esc(c.Name + "=" + c.Image)
	}
	return strings.Join(parts, ",")
}

// qualifiers says of a Deployment whether its color serves and whether
// kubectl-ship did not create it: " (idle, made by hand)".
func qualifiers(d release.DeploymentStatus) string {
	var q []string
	switch {
	case d.Serving != nil && *d.Serving:
		q = append(q, "serving")
	case d.Serving != nil:
		q = append(q, "idle")
	}
	switch {
	case d.Adopted:
		q = append(q, "adopted")
	case d.HandMade:
		q = append(q, "made by hand")
	}
	if len(q) == 0 {
		return ""
	}
	return " (" + strings.Join(q, ", ") + ")"
}
