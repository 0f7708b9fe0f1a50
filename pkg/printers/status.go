// Package printers renders kubectl-ship's read model for people; output for
// scripts (-o json|yaml|jsonpath) goes through cli-runtime's printers.
package printers

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Status writes st as a summary line, a table of Deployments, a table of
// Services with their actual traffic, and the warnings.
func Status(w io.Writer, st *release.Status) error {
	fmt.Fprintf(w, "Release %s (namespace %s): %s, %s\n", st.Name, st.Namespace, st.Strategy, st.Phase)
	if st.Operation != "" {
		fmt.Fprintf(w, "Operation: %s\n", st.Operation)
	}
	fmt.Fprintln(w)
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "DEPLOYMENT\tROLE\tIMAGES\tDESIRED\tUPDATED\tREADY\tAVAILABLE\tREVISION")
	for _, d := range st.Deployments {
		role := d.Role
		if d.Serving != nil && *d.Serving {
			role += " (serving)"
		} else if d.Serving != nil {
			role += " (idle)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", d.Name, role, strings.Join(d.Images, ","),
			d.Replicas, d.UpdatedReplicas, d.ReadyReplicas, d.AvailableReplicas, d.Revision)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	// A writer of its own: cli-runtime's remembers column widths.
	tw = printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "SERVICE\tSELECTOR\tAFFINITY\tTRAFFIC (READY ENDPOINTS)")
	for _, s := range st.Services {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, labels.Set(s.Selector), s.SessionAffinity, Traffic(s))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := Routes(w, st); err != nil {
		return err
	}
	if len(st.Warnings) > 0 {
		fmt.Fprintln(w, "\nWarnings:")
		for _, warning := range st.Warnings {
			fmt.Fprintf(w, "  %s\n", warning)
		}
	}
	return nil
}

// Traffic describes where a Service's ready endpoints are, by role:
// "stable 75.0% (3), canary 25.0% (1)".
func Traffic(s release.ServiceStatus) string {
	if len(s.ReadyEndpoints) == 0 {
		return "no ready endpoints"
	}
	roles := make([]string, 0, len(s.ReadyEndpoints))
	for role := range s.ReadyEndpoints {
		roles = append(roles, role)
	}
	sort.Strings(roles)
	parts := make([]string, len(roles))
	for i, role := range roles {
		parts[i] = fmt.Sprintf("%s %.1f%% (%d)", role, s.Traffic[role], s.ReadyEndpoints[role])
	}
	out := strings.Join(parts, ", ")
	if s.RequestedWeight != nil {
		out += fmt.Sprintf("; %d%% requested", *s.RequestedWeight)
	}
	return out
}
