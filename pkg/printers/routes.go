package printers

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Routes writes the routes that send traffic to the release, a line per
// rule: the route and the Gateways that accepted it on its first line, each
// rule's matches, its backends with their share of the rule's traffic (and
// whether they can take it), and the share that reaches the canary.
func Routes(w io.Writer, st *release.Status) error {
	if len(st.Routes) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := cliprinters.GetNewTabWriter(w)
	fmt.Fprintln(tw, "ROUTE\tPARENTS\tMATCHES\tBACKENDS\tCANARY")
	for _, r := range st.Routes {
		name, parents := routeName(r), routeParents(r)
		if r.Missing {
			fmt.Fprintf(tw, "%s\t-\t-\tnot found\t-\n", name)
		}
		for _, rule := range r.Rules {
			matches := strings.Join(rule.Matches, " | ")
			if matches == "" {
				matches = "*"
			}
			backends := make([]string, len(rule.Backends))
			for i, b := range rule.Backends {
				backends[i] = esc(b.Service)
				if b.Role != "" {
					backends[i] += " (" + b.Role + ")"
				}
				backends[i] += " " + share(&b.Percent)
				switch {
				case b.Missing:
					backends[i] += " (no such service)"
				case b.ReadyEndpoints != nil && *b.ReadyEndpoints == 0:
					backends[i] += " (no ready endpoints)"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, parents, esc(matches), strings.Join(backends, ", "), share(rule.CanaryShare))
			name, parents = "", ""
		}
	}
	return tw.Flush()
}

// share is a percentage as the route table shows it, "-" for none.
func share(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(math.Round(*p*100)/100, 'f', -1, 64) + "%"
}

func routeName(r release.RouteStatus) string {
	name := strings.ToLower(r.Kind) + "/" + esc(r.Name)
	if r.Namespace != "" {
		name = strings.ToLower(r.Kind) + "/" + esc(r.Namespace) + "/" + esc(r.Name)
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
		parts[i] = esc(p.Name)
		if p.SectionName != "" {
			parts[i] += "/" + esc(p.SectionName)
		}
		state := "not accepted"
		if p.Accepted {
			state = "accepted"
		}
		if p.ResolvedRefs != "" && p.ResolvedRefs != "True" {
			state += ", ResolvedRefs=" + esc(p.ResolvedRefs)
		}
		parts[i] += " (" + state + ")"
	}
	return strings.Join(parts, ", ")
}

// RouteWeight is the canary's share of the traffic of the route a release
// runs through ("5% (route)"), or "" when it runs through none.
func RouteWeight(st *release.Status) string {
	for _, r := range st.Routes {
		if r.Drives && r.Missing && st.Strategy == release.StrategyCanary {
			return "- (route gone)"
		}
		if r.Drives && r.CanaryWeight != nil && st.Strategy == release.StrategyCanary {
			return strconv.FormatFloat(*r.CanaryWeight, 'f', -1, 64) + "% (route)"
		}
	}
	return ""
}
