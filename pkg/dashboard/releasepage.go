package dashboard

import (
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// releaseIn is what a release's page is built from.
type releaseIn struct {
	context string
	target  ship.Target
	status  *release.Status
	record  []release.Operation
	gates   []gatePoint
	// The release's pods, ReplicaSets and Events, and why they could not
	// be read, if they could not.
	pods        []corev1.Pod
	replicaSets []appsv1.ReplicaSet
	events      []corev1.Event
	detailErr   error
}

// releaseView is a release's page.
type releaseView struct {
	// Target is the release exactly as named, for the actions' requests;
	// the other strings are cleaned for showing.
	Target                     ship.Target
	Context, Namespace, Name   string
	Found                      bool
	Missing                    string
	Strategy, Phase, Operation string
	Warnings                   []string
	Actions                    []actionView
	Replicas                   int32
	Services                   []serviceView
	Routes                     []routeView
	Progression                *progressionView
	Gates                      []gateView
	Charts                     []chartView
	Deployments                []deploymentView
	Revisions                  []revisionView
	Operations                 []operationView
	Events                     []eventView
	DetailErr                  string
}

type serviceView struct {
	Bar                serviceBar
	Selector, Affinity string
}

type routeView struct {
	Name    string
	Drives  bool
	Parents []string
	Rules   []ruleView
}

type ruleView struct {
	Matches string
	Bar     serviceBar
}

type deploymentView struct {
	Name, Role, RoleClass, Images, Revision, Message string
	Qualifiers                                       []string
	Desired, Updated, Ready, Available               int32
	Revisions                                        []podRevision
}

// podRevision is the pods of one ReplicaSet of a Deployment.
type podRevision struct {
	Revision, Images string
	Pods             []podView
}

type podView struct {
	Name, Short, State string
	Ready              bool
	Restarts           int32
}

type revisionView struct {
	Number, Created, Images, ChangeCause string
	Current                              bool
}

type operationView struct {
	Time, User, Command, Result string
	Failed                      bool
}

// eventView is an Event; At is when it was last seen (RFC 3339), which the
// page counts from, Age that time as first shown.
type eventView struct {
	At, Age, Type, Reason, Object, Message string
	Count                                  int32
}

// maxEvents bounds the Events shown, newest first.
const maxEvents = 50

// releasePageOf builds a release's page at now.
func releasePageOf(in releaseIn, now time.Time) releaseView {
	t := in.target
	v := releaseView{Target: t, Context: clean(in.context), Namespace: clean(t.Namespace), Name: clean(t.Name)}
	st := in.status
	if st == nil {
		v.Missing = fmt.Sprintf("No release %s in namespace %s of context %s: no such Deployment, or one kubectl-ship created for another release.", v.Name, v.Namespace, v.Context)
		return v
	}
	v.Found = true
	v.Strategy, v.Phase, v.Operation = st.Strategy, st.Phase, clean(st.Operation)
	for _, w := range st.Warnings {
		v.Warnings = append(v.Warnings, clean(w))
	}
	v.Actions = actionsFor(st)
	for _, s := range st.Services {
		v.Services = append(v.Services, serviceView{Bar: barOf(s), Selector: clean(labels.Set(s.Selector).String()), Affinity: clean(s.SessionAffinity)})
	}
	v.Routes = routesOf(st.Routes)
	if p := st.Progression; p != nil {
		v.Progression = progressionOf(p, now)
		v.Gates = gatesOf(p.Gates)
		v.Charts = chartsOf(in.gates, now)
	}
	for _, d := range st.Deployments {
		if d.Role == release.RoleStable || d.Role == string(release.Blue) {
			v.Replicas = d.Replicas
		}
		v.Deployments = append(v.Deployments, deploymentOf(d, in.replicaSets, in.pods))
	}
	v.Revisions = revisionsOf(st, in.replicaSets)
	for i := len(in.record) - 1; i >= 0; i-- {
		op := in.record[i]
		v.Operations = append(v.Operations, operationView{Time: printers.OperationTime(op), User: clean(printers.OperationUser(op)),
			Command: clean(printers.OperationCommand(op)), Result: clean(printers.OperationResult(op)), Failed: op.Error != ""})
	}
	v.Events = eventsOf(st, in)
	if in.detailErr != nil {
		v.DetailErr = "The pods, ReplicaSets or Events could not be read: " + clean(in.detailErr.Error())
	}
	return v
}

func routesOf(routes []release.RouteStatus) []routeView {
	var out []routeView
	for _, r := range routes {
		rv := routeView{Name: clean(strings.ToLower(r.Kind) + "/" + r.Name), Drives: r.Drives}
		if r.Namespace != "" {
			rv.Name = clean(strings.ToLower(r.Kind) + "/" + r.Namespace + "/" + r.Name)
		}
		for _, p := range r.Parents {
			state := "not accepted"
			if p.Accepted {
				state = "accepted"
			}
			rv.Parents = append(rv.Parents, clean("parent "+p.Name)+" ("+state+")")
		}
		for _, rule := range r.Rules {
			bar := serviceBar{Name: "rule"}
			x := 0.0
			var texts []string
			for _, b := range rule.Backends {
				role := roleClass(b.Role)
				bar.Segments = append(bar.Segments, segment{Role: role, Label: clean(b.Service), X: x, Percent: b.Percent})
				texts = append(texts, fmt.Sprintf("%s %s (weight %d)", clean(b.Service), pct(b.Percent), b.Weight))
				x += b.Percent
			}
			bar.Text = strings.Join(texts, ", ")
			matches := "every request"
			if len(rule.Matches) > 0 {
				matches = clean(strings.Join(rule.Matches, "; "))
			}
			rv.Rules = append(rv.Rules, ruleView{Matches: matches, Bar: bar})
		}
		out = append(out, rv)
	}
	return out
}

// eventsOf keeps the Events about the release's objects: its Deployments,
// their ReplicaSets and their pods.
func eventsOf(st *release.Status, in releaseIn) []eventView {
	objects := map[string]bool{}
	for _, d := range st.Deployments {
		objects["Deployment/"+d.Name] = true
		for _, rs := range ownedBy(in.replicaSets, "Deployment", d.Name) {
			objects["ReplicaSet/"+rs.Name] = true
		}
	}
	for _, p := range in.pods {
		objects["Pod/"+p.Name] = true
	}
	var events []corev1.Event
	for _, e := range in.events {
		if objects[e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name] {
			events = append(events, e)
		}
	}
	sort.Slice(events, func(i, j int) bool { return eventTime(events[i]).After(eventTime(events[j])) })
	var out []eventView
	for _, e := range events[:min(len(events), maxEvents)] {
		typ := "Normal"
		if e.Type != corev1.EventTypeNormal {
			typ = "Warning"
		}
		at := eventTime(e)
		out = append(out, eventView{At: at.UTC().Format(time.RFC3339), Age: at.Format(time.TimeOnly), Type: typ, Reason: clean(e.Reason),
			Object: clean(strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name), Message: clean(e.Message), Count: max(e.Count, 1)})
	}
	return out
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp.Time
	}
	return e.CreationTimestamp.Time
}
