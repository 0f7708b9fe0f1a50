package ship

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/kube"
	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Verdict is a person's verdict on the pause a release's progression
// awaits, given with approve or reject.
type Verdict struct {
	// Approved approves the pause, else it is rejected.
	Approved bool
	Reason   string
	// Command is the command line, as the release's record keeps it.
	Command string
	// Notifier, when set, makes what is told of the verdict when no
	// process runs the progression, from the progression and what r reads.
	Notifier func(p *release.Progression, r Reader) (Notifier, error)
}

// Judgement is a verdict recorded, and what it leads to.
type Judgement = kube.Judgement

// Judge records v on the pause release t's progression awaits: one update
// of the release's Lease, which is all it needs the right to change, and
// the verdict in its record and as an Event, who gave it as the API server
// authenticated them. The process that runs the progression, if one does,
// sees it arrive, tells of it and goes on (or rolls back); Judgement.Runner
// names it. With no such process, v.Notifier is told.
func (e *Engine) Judge(ctx context.Context, t Target, v Verdict) (Judgement, error) {
	client, t, err := e.resolve(t)
	if err != nil {
		return Judgement{}, err
	}
	a := release.Approval{Verdict: release.VerdictRejected, User: client.WhoAmI(ctx), From: kube.LocalAccount(), Reason: v.Reason, Time: metav1.Now()}
	verb := "reject"
	if v.Approved {
		a.Verdict, verb = release.VerdictApproved, "approve"
	}
	op := release.Operation{Time: a.Time, Verb: verb, Command: v.Command, User: a.User, From: a.From}
	j, err := client.Judge(ctx, t.Namespace, t.Name, a, op)
	if err != nil {
		return j, err
	}
	// A process that runs the progression tells of the verdict it sees.
	if v.Notifier == nil || j.Runner != "" {
		return j, nil
	}
	n, err := v.Notifier(j.Progression, reader{client, t.Namespace})
	if err != nil || n == nil {
		return j, err
	}
	r := &run{client: client, t: t, o: Options{Notifier: n, Command: v.Command}, shown: j.Progression, user: a.User}
	r.notify(map[bool]notify.Type{true: notify.Approved, false: notify.Rejected}[v.Approved], a.User, a.Reason)
	n.Flush()
	return j, nil
}

// Process is this process as the locks it takes name it: "user@host (pid N)".
func Process() string { return kube.HolderIdentity() }
