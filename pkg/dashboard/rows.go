package dashboard

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// groupView is one context of the overview: its releases, or why they
// cannot be shown.
type groupView struct {
	ID, Name, Scope string
	// Err says why the context's releases cannot be read (unreachable,
	// forbidden); Stale why they may be out of date.
	Err, Stale string
	Loading    bool
	Rows       []rowView
	// Wide shows the namespace column (every namespace, -A).
	Wide bool
	// RowsHTML is the rows, each rendered on its own ("row").
	RowsHTML template.HTML
}

// rowView is one release of the overview, as list counts it.
type rowView struct {
	ID, Link                     string
	Context, Namespace, Name     string
	Strategy, Phase              string
	Current, Next, Weight, Ready string
	Services                     []serviceBar
	RouteWeight, Operation       string
	Progression                  *progressionView
	Gates                        []gateView
	Attention                    []string
	Search                       string
	Wide                         bool
}

// serviceBar is a Service's actual traffic, a segment per role.
type serviceBar struct {
	Name     string
	Segments []segment
	Text     string
}

// segment is a role's share of a bar, in percent of its width; Label names
// it in the legend.
type segment struct {
	Role, Label string
	X, Percent  float64
	Count       int
}

// progressionView is where a progression stands.
type progressionView struct {
	What, Phase string
	Step, Steps int
	Weight      int32
	Plan        []stepView
	// Until is when the step's hold ends (RFC 3339), for the countdown;
	// "" when it is not holding.
	Until, Left, Reason string
	Failures            int
}

// stepView is one step of a progression's timeline.
type stepView struct {
	Label string
	State string // done, current, pending
}

// gateView is a gate's last check; Verdict is its CSS class, Label its
// verdict as the record says it.
type gateView struct {
	Gate, Verdict, Label, Value, Reason string
}

// groupOf builds the overview's group of a context from its snapshot.
func groupOf(s snapshot, allNamespaces bool, now time.Time) groupView {
	g := groupView{ID: "g-" + hash(s.name), Name: clean(s.name), Wide: allNamespaces}
	g.Scope = "namespace " + clean(s.target.Namespace)
	if allNamespaces {
		g.Scope = "all namespaces"
	}
	switch {
	case s.err != nil:
		g.Err = clean(s.err.Error())
		return g
	case s.list == nil:
		g.Loading = true
		return g
	case s.stale != nil:
		g.Stale = "live updates interrupted: " + clean(s.stale.Error())
	}
	table := printers.ReleaseTable(s.list, now)
	for i, st := range s.list.Items {
		cells := table.Rows[i].Cells
		r := rowView{
			ID: "r-" + hash(s.name+"\x00"+st.Namespace+"\x00"+st.Name), Link: releaseLink(s.name, st.Namespace, st.Name),
			Context: clean(s.name), Namespace: clean(st.Namespace), Name: clean(st.Name), Wide: allNamespaces,
			Strategy: st.Strategy, Phase: st.Phase,
			Current: clean(fmt.Sprint(cells[3])), Next: clean(fmt.Sprint(cells[4])), Weight: clean(fmt.Sprint(cells[5])), Ready: fmt.Sprint(cells[6]),
			RouteWeight: clean(printers.RouteWeight(st)), Operation: clean(st.Operation),
			Progression: progressionOf(st.Progression, now),
		}
		for _, svc := range st.Services {
			r.Services = append(r.Services, barOf(svc))
		}
		if p := st.Progression; p != nil {
			r.Gates = gatesOf(p.Gates)
		}
		r.Attention = attention(st)
		r.Search = strings.ToLower(strings.Join([]string{r.Context, r.Namespace, r.Name, r.Strategy, r.Phase, r.Current, r.Next}, " "))
		g.Rows = append(g.Rows, r)
	}
	return g
}

// releaseLink is the URL of a release's page.
func releaseLink(context, namespace, name string) string {
	return "/release?" + url.Values{"context": {context}, "namespace": {namespace}, "name": {name}}.Encode()
}

// barOf lays out a Service's traffic: the stable or serving roles first,
// then the new one, then pods of no Deployment of the release.
func barOf(s release.ServiceStatus) serviceBar {
	roles := make([]string, 0, len(s.Traffic))
	for role := range s.Traffic {
		roles = append(roles, role)
	}
	sort.Slice(roles, func(i, j int) bool {
		return roleOrder(roles[i]) < roleOrder(roles[j]) || roleOrder(roles[i]) == roleOrder(roles[j]) && roles[i] < roles[j]
	})
	b := serviceBar{Name: clean(s.Name), Text: clean(printers.Traffic(s))}
	x := 0.0
	for _, role := range roles {
		b.Segments = append(b.Segments, segment{Role: roleClass(role), Label: clean(role), X: x, Percent: s.Traffic[role], Count: s.ReadyEndpoints[role]})
		x += s.Traffic[role]
	}
	return b
}

func roleOrder(role string) int {
	switch role {
	case release.RoleStable, string(release.Blue):
		return 0
	case release.RoleCanary, string(release.Green):
		return 1
	}
	return 2
}

// roleClass is the CSS class of a role: one of the known ones, whatever
// the cluster says.
func roleClass(role string) string {
	switch role {
	case release.RoleStable, release.RoleCanary, string(release.Blue), string(release.Green):
		return role
	}
	return "other"
}

// attention says why a release needs someone: it waits for a decision, it
// is degraded or paused, a gate fails, it was rolled back, or an operation
// on it was interrupted.
func attention(st *release.Status) []string {
	var why []string
	switch st.Phase {
	case release.PhaseDegraded:
		why = append(why, "degraded")
	case release.PhasePaused:
		why = append(why, "paused")
	}
	if p := st.Progression; p != nil {
		switch p.Phase {
		case release.ProgressionPaused:
			why = append(why, "awaiting a decision")
		case release.ProgressionRolledBack:
			why = append(why, "rolled back")
		}
		if p.Active() {
			for _, g := range p.Gates {
				if g.Verdict == release.Fail {
					why = append(why, "a gate fails")
					break
				}
			}
		}
	}
	for _, w := range st.Warnings {
		if strings.HasPrefix(w, "operation interrupted") {
			why = append(why, "operation interrupted")
		}
	}
	return why
}

// hash is a short, stable id for an element of the page.
func hash(s string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return fmt.Sprintf("%016x", h.Sum64())
}

// number formats a gate's value to four significant digits: 0.05, not
// 0.04999999999999997.
func number(f float64) string {
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// pct formats a share: "25%", "33.3%".
func pct(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) + "%"
}
