package printers

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Routes writes the routes that send traffic to the release, a line per
// rule: the route and the Gateways that accepted it on its first line, each
// rule's matches and its backends with their share of the rule's traffic.
func Routes(w io.Writer, st *release.Status) error {
	if len(st.Routes) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "ROUTE\tPARENTS\tMATCHES\tBACKENDS")
	for _, r := range st.Routes {
		name, parents := routeName(r), routeParents(r)
		for _, rule := range r.Rules {
			matches := strings.Join(rule.Matches, " | ")
			if matches == "" {
				matches = "*"
			}
			backends := make([]string, len(rule.Backends))
			for i, b := range rule.Backends {
				backends[i] = b.Service
				if b.Role != "" {
					backends[i] += " (" + b.Role + ")"
				}
				backends[i] += " " + strconv.FormatFloat(b.Percent, 'f', -1, 64) + "%"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, parents, matches, strings.Join(backends, ", "))
			name, parents = "", ""
		}
	}
	return tw.Flush()
}

func routeName(r release.RouteStatus) string {
	name := strings.ToLower(r.Kind) + "/" + r.Name
	if r.Namespace != "" {
		name = strings.ToLower(r.Kind) + "/" + r.Namespace + "/" + r.Name
	}
	if r.Drives {
		name += " (drives the release)"
	}
	return name
}

func routeParents(r release.RouteStatus) string {
	if r.Kind == release.KindIngress {
		return "ingress-nginx"
	}
	if len(r.Parents) == 0 {
		return "none reported"
	}
	parts := make([]string, len(r.Parents))
	for i, p := range r.Parents {
		parts[i] = p.Name
		if p.SectionName != "" {
			parts[i] += "/" + p.SectionName
		}
		if p.Accepted {
			parts[i] += " (accepted)"
		} else {
			parts[i] += " (not accepted)"
		}
	}
	return strings.Join(parts, ", ")
}

// RouteWeight is the canary's share of the traffic of the route a release
// runs through ("5% (route)"), or "" when it runs through none.
func RouteWeight(st *release.Status) string {
	for _, r := range st.Routes {
		if r.Drives && r.CanaryWeight != nil && st.Strategy == release.StrategyCanary {
			return strconv.FormatFloat(*r.CanaryWeight, 'f', -1, 64) + "% (route)"
		}
	}
	return ""
}
